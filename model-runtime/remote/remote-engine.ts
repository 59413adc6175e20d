// An Engine over a remote OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio, another
// Tokenscope): the server samples, and reports each chosen token with its top alternatives' log-probabilities.
// Steps say what is known (remote-steps.ts); branching re-asks the server from the prompt plus the kept tokens
// and the forced one; re-sampling works over the alternatives received and is marked approximate.
import { uniformDraw } from '../../sampling/sampler';
import { SAMPLING, type SamplingSettings } from '../../sampling/settings';
import type { Cancelled, Engine, MemoryFigures, OnStep } from '../engine';
import { RuntimeError } from '../errors';
import { type FimFamily, fimText } from '../fim-families';
import type {
  GenerateRequest,
  GenerateResult,
  GenerationStats,
  ModelInfo,
  Prompt,
  ProviderReport,
  ScoredPosition,
  TokenStep,
} from '../protocol';
import { chatRequest, completionRequest, framing, nativeFim, parseEvent, probabilityKind } from './flavours';
import { RemoteProtocolError } from './errors';
import { endpoint, streamPayloads } from './http-stream';
import { remoteStep, resampleRemote, TokenTable, textOnlyStep } from './remote-steps';
import type { CompletionAsk, FinishReason, RemoteSpec, WireRequest } from './types';

/** Generations kept for branching and re-sampling. */
const KEPT = 32;

interface Kept {
  prompt: Prompt;
  steps: TokenStep[];
  /** The text each step added, as the server spelled it (special tokens add none; a split character comes whole). */
  deltas: string[];
  seed: number;
}

const STOP: Record<FinishReason, GenerationStats['stopReason']> = { stop: 'stop', eos: 'eos', length: 'length', other: 'stop' };

export class RemoteEngine implements Engine {
  private readonly table = new TokenTable();
  private readonly kept = new Map<number, Kept>();
  private nextId = 1;
  private readonly inflight = new Set<AbortController>();

  constructor(
    readonly info: ModelInfo,
    readonly provider: ProviderReport,
    private readonly spec: RemoteSpec,
    private readonly family: FimFamily | undefined,
  ) {}

  numberGenerationsFrom(first: number): void {
    this.nextId = first;
  }

  peekGenerationId(): number {
    return this.nextId;
  }

  async generate(req: GenerateRequest, onStep: OnStep, cancelled: Cancelled): Promise<GenerateResult> {
    const s = req.sampling;
    const maxTokens = Math.max(0, Math.floor(s.maxTokens ?? SAMPLING.maxTokens.default));
    const start = req.branch
      ? this.branchStart(req)
      : { prompt: req.prompt, steps: [], deltas: [], seed: s.seed ?? Math.floor(Math.random() * 2 ** 31) };
    const id = this.nextId++;
    const kept: Kept = { ...start, steps: [...start.steps], deltas: [...start.deltas] };
    const steps = kept.steps;
    // A branch's steps end with the forced token: the first event of the new generation.
    if (req.branch) onStep(steps.at(-1)!, kept.deltas.at(-1)!);
    this.keep(id, kept);
    const t0 = performance.now();
    const run = { first: 0, stop: 'length' as GenerationStats['stopReason'] };
    if (steps.length < maxTokens) {
      // The bytes, not the deltas: text a server held back (a partial stop string) arrived with a later token.
      const done = new TextDecoder().decode(Uint8Array.from(steps.flatMap((x) => x.bytes)));
      const wire = this.request(start.prompt, done, { ...s, seed: start.seed }, maxTokens - steps.length, req.topN);
      run.stop = await this.stream(wire, kept, onStep, cancelled, () => (run.first ||= performance.now()));
    }
    const t1 = performance.now();
    const first = run.first || t1;
    const text = kept.deltas.join('');
    const stats: GenerationStats = {
      promptTokens: 0,
      reusedTokens: 0,
      generatedTokens: steps.length,
      prefillMs: first - t0,
      decodeMs: t1 - first,
      stopReason: run.stop,
      seed: start.seed,
    };
    return { generationId: id, text, ids: steps.map((x) => x.id), stats };
  }

  /** The kept steps before the branch point, then the forced token (from the step's alternatives, or any token seen). */
  private branchStart(req: GenerateRequest): Kept {
    const b = req.branch!;
    const rec = this.kept.get(b.generationId);
    if (!rec) throw new RuntimeError('bad-request', `generation ${b.generationId} is no longer kept; generate it again to branch`);
    // A chat API cannot continue a reply half-way in a portable way.
    if (rec.prompt.chat)
      throw new RuntimeError('unsupported', 'a reply from a remote chat cannot be branched; branch a completion instead');
    if (b.step > rec.steps.length)
      throw new RuntimeError('bad-request', `generation ${b.generationId} has ${rec.steps.length} steps, not ${b.step}`);
    const at = rec.steps[b.step];
    const alt = at?.alternatives.find((a) => a.id === b.forcedToken);
    const bytes = this.table.bytes(b.forcedToken);
    if (!alt && bytes.length === 0) throw new RuntimeError('bad-request', `token ${b.forcedToken} was never reported by this server`);
    const text = alt?.text ?? new TextDecoder().decode(bytes);
    const rank = alt ? at!.alternatives.indexOf(alt) + 1 : (at?.alternatives.length ?? 0) + 1;
    const source = at?.remote?.source ?? this.provider.active;
    const forced: TokenStep = {
      index: b.step,
      id: b.forcedToken,
      text,
      bytes: Array.from(bytes),
      partial: false,
      rawProb: alt?.rawProb ?? 0,
      finalProb: alt?.rawProb ?? 0,
      entropy: at?.entropy ?? 0,
      draw: 0,
      alternatives: at?.alternatives ?? [],
      // Known exactly when the forced token is among the alternatives the server sent (not the appended chosen one).
      rank,
      forced: true,
      remote: {
        source,
        probabilities: at?.remote?.probabilities ?? 'raw',
        rankLowerBound: !alt || (!!at?.remote?.rankLowerBound && alt.id === at.id),
      },
    };
    return {
      prompt: rec.prompt,
      steps: [...rec.steps.slice(0, b.step), forced],
      deltas: [...rec.deltas.slice(0, b.step), text],
      seed: req.sampling.seed ?? rec.seed,
    };
  }

  private keep(id: number, k: Kept): void {
    this.kept.set(id, k);
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
  }

  /** The request for the prompt continued by the text so far (a branch), in the server's terms. */
  private request(prompt: Prompt, done: string, s: SamplingSettings, maxTokens: number, topN: number): WireRequest {
    const ask = askFor(s, maxTokens, topN);
    if (!prompt.chat) return completionRequest(this.spec, { ...ask, prompt: this.wirePrompt(prompt, done) });
    return chatRequest(this.spec, { ...ask, messages: prompt.chat });
  }

  /** Text, or prefix/suffix for a server with its own infill; otherwise the family's FIM tokens, or the prefix alone. */
  private wirePrompt(p: Prompt, done: string): CompletionAsk['prompt'] {
    if (p.tokens) throw new RuntimeError('bad-request', 'a remote server takes text prompts, not token ids');
    if (!p.fim) return { text: (p.text ?? '') + done };
    if (nativeFim(this.spec.flavour)) {
      const extra = p.fim.context?.files.map((f) => ({ filename: f.path, text: f.text }));
      return { prefix: p.fim.prefix + done, suffix: p.fim.suffix, ...(extra?.length ? { extra } : {}) };
    }
    if (this.family) return { text: fimText(this.family, p.fim.prefix, p.fim.suffix) + done };
    return { text: p.fim.prefix + done };
  }

  /** Streams one request into `kept`; returns why it stopped. */
  private async stream(wire: WireRequest, kept: Kept, onStep: OnStep, cancelled: Cancelled, firstToken: () => void) {
    const source = `${this.spec.flavour} ${wire.path}`;
    const kind = probabilityKind(this.spec.flavour);
    const abort = new AbortController();
    this.inflight.add(abort);
    const poll = setInterval(() => cancelled() && abort.abort(), 20);
    try {
      for await (const payload of streamPayloads(this.spec, wire, framing(this.spec.flavour), abort.signal)) {
        const ev = parseEvent(this.spec.flavour, payload);
        ev.tokens.forEach((t, i) => {
          firstToken();
          const step = remoteStep(this.table, t, kept.steps.length, source, kind);
          // The event's text goes with its last token: the server's spelling of what they add together.
          const delta = i === ev.tokens.length - 1 ? ev.text : '';
          kept.steps.push(step);
          kept.deltas.push(delta);
          onStep(step, delta);
        });
        // Text without tokens (a server that sent no logprobs for it) still belongs to the output: a step that says so.
        if (ev.tokens.length === 0 && ev.text) {
          firstToken();
          const step = textOnlyStep(this.table, ev.text, kept.steps.length, source);
          kept.steps.push(step);
          kept.deltas.push(ev.text);
          onStep(step, ev.text);
        }
        if (ev.finish) return STOP[ev.finish];
        if (cancelled()) return 'cancelled';
      }
      return 'stop';
    } catch (e) {
      if (cancelled() || (e instanceof RuntimeError && e.code === 'cancelled')) return 'cancelled';
      if (e instanceof RemoteProtocolError) throw new RuntimeError('remote', `${endpoint(this.spec, wire.path)}: ${e.message}`);
      throw e;
    } finally {
      clearInterval(poll);
      this.inflight.delete(abort);
      // Leaving early (a cancel, the end, a bad event) must close the request, or the server generates on.
      abort.abort();
    }
  }

  resample(generationId: number, step: number, s: SamplingSettings): TokenStep {
    const rec = this.kept.get(generationId);
    const at = rec?.steps[step];
    if (!rec || !at) throw new RuntimeError('bad-request', `generation ${generationId} step ${step} is not kept`);
    if (at.alternatives.length === 0)
      throw new RuntimeError('unsupported', 'the server sent no alternatives for this step, so there is nothing to re-sample');
    const history = rec.steps.slice(0, step).map((x) => x.id);
    return resampleRemote(at, s, history, uniformDraw(s.seed ?? rec.seed, step));
  }

  score(): Promise<ScoredPosition[]> {
    return Promise.reject(
      new RuntimeError('unsupported', 'the heatmap needs a local model: a remote server does not report the probabilities of a given text'),
    );
  }

  tokenize(): number[] {
    throw new RuntimeError('unsupported', "the tokenizer view needs a local model: the remote server's tokenizer is not available here");
  }

  tokenBytes(id: number): Uint8Array {
    return this.table.bytes(id);
  }

  memory(): MemoryFigures {
    return { kvCacheBytes: 0, cachedTokens: 0 };
  }

  async release(): Promise<void> {
    for (const a of this.inflight) a.abort();
  }
}

/** The sampling part of a request (every server takes these, under its own names: flavours.ts). */
function askFor(s: SamplingSettings, maxTokens: number, topN: number): Omit<CompletionAsk, 'prompt'> {
  return {
    maxTokens,
    temperature: s.temperature,
    topP: s.topP,
    topK: s.topK,
    minP: s.minP,
    repetitionPenalty: s.repetitionPenalty,
    presencePenalty: s.presencePenalty,
    frequencyPenalty: s.frequencyPenalty,
    seed: s.seed,
    stop: s.stop,
    topN: Math.max(1, topN),
  };
}
