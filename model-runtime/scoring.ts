// Scoring a text for the heatmap: each token's probability, exact rank, entropy and alternatives given the
// tokens before it. A text longer than the context is scored in windows that overlap by half, so every
// token after the first window is predicted from at least half a context of the text before it. Each window
// has its own cache: more urgent requests can run in between without disturbing it. A long text is tokenized
// piece by piece (piece-encode.ts), so a cancel lands while it is tokenized too.
import { rankOfToken, softmaxStats, topIndices } from '../sampling/sampler';
import type { Cancelled, YieldTo } from './engine';
import { RuntimeError } from './errors';
import type { ModelRunner } from './model-runner';
import { encodePieces } from './piece-encode';
import type { Alternative, ScoredPosition } from './protocol';
import { tokenText } from './text-stream';
import { altText } from './token-steps';
import type { Tokenizer } from './tokenizer';

/** Tokens per run: every position's logits come back, so small chunks bound that memory (128 x 50k floats = 25 MB). */
const SCORE_CHUNK = 128;

export interface ScoreJob {
  tokenizer: Pick<Tokenizer, 'encode' | 'tokenBytes'>;
  topN: number;
  cancelled: Cancelled;
  onProgress?: (done: number, total: number) => void;
  yieldTo?: YieldTo;
}

export async function scoreText(runner: ModelRunner, text: string, job: ScoreJob): Promise<ScoredPosition[]> {
  const tokens = await encodePieces(job.tokenizer, text, job.cancelled);
  const n = tokens.length;
  const ctx = runner.contextLength;
  const half = Math.max(1, Math.floor(ctx / 2));
  const out = new Positions(job.tokenizer);
  if (n) out.add(tokens[0], 1, 0, 0, []);
  // `pos`: the next token to score; each window feeds tokens [start, end - 1) and predicts (start, end).
  for (let pos = 1; pos < n; ) {
    const start = pos === 1 ? 0 : Math.max(0, pos - half);
    const end = Math.min(n, start + ctx);
    await scoreWindow(runner, tokens, { start, end, pos }, out, job);
    pos = end;
  }
  return out.list;
}

async function scoreWindow(
  runner: ModelRunner,
  tokens: number[],
  w: { start: number; end: number; pos: number },
  out: Positions,
  job: ScoreJob,
): Promise<void> {
  const step = Math.min(runner.prefillChunk, SCORE_CHUNK);
  const cache = runner.newCache();
  try {
    for (let i = w.start; i < w.end - 1; i += step) {
      if (job.cancelled()) throw new RuntimeError('cancelled', 'cancelled');
      if (job.yieldTo) await job.yieldTo();
      const r = await runner.run(cache, tokens.slice(i, Math.min(i + step, w.end - 1)), 0);
      if (job.cancelled()) throw new RuntimeError('cancelled', 'cancelled');
      const V = r.data.length / r.rows;
      for (let j = 0; j < r.rows; j++) {
        const at = i + j + 1;
        if (at < w.pos) continue; // already scored with more context by the previous window
        scorePosition(r.data.subarray(j * V, (j + 1) * V), tokens[at], out, job);
      }
      job.onProgress?.(out.list.length, tokens.length);
    }
  } finally {
    cache.release();
  }
}

function scorePosition(row: Float32Array, target: number, out: Positions, job: ScoreJob): void {
  const st = softmaxStats(row);
  const prob = (id: number) => Math.exp(row[id] - st.max) / st.sum;
  const alts = topIndices(row, job.topN).map((id) => ({ id, text: altText(job.tokenizer, id), rawProb: prob(id), finalProb: prob(id) }));
  out.add(target, prob(target), rankOfToken(row, target, st.argmax), st.entropy, alts);
}

/** Scored positions in order, each with its UTF-16 offset in the text. */
class Positions {
  readonly list: ScoredPosition[] = [];
  private readonly decoder = new TextDecoder('utf-8');
  private offset = 0;

  constructor(private readonly tokenizer: Pick<Tokenizer, 'tokenBytes'>) {}

  add(id: number, prob: number, rank: number, entropy: number, alternatives: Alternative[]): void {
    const bytes = this.tokenizer.tokenBytes(id);
    this.list.push({ id, text: tokenText(bytes).text, offset: this.offset, prob, rank, entropy, alternatives });
    this.offset += this.decoder.decode(bytes, { stream: true }).length;
  }
}
