// A remote server's tokens as the inspector's TokenSteps. Servers that name token ids (llama-server) keep
// them; OpenAI-shaped logprobs give only text and bytes, so those tokens get ids of their own here, stable for
// the engine's life, which is all branching and the views need.
import { sampleAlternatives } from '../../sampling/alternatives';
import type { SamplingSettings } from '../../sampling/settings';
import type { Alternative, RemoteStepFacts, TokenStep } from '../protocol';
import type { ProbabilityKind, RemoteCandidate, RemoteToken } from './types';

/** Ids given here start high so they cannot meet a server's own ids. */
const OWN_IDS = 1 << 30;

export class TokenTable {
  private readonly byKey = new Map<string, number>();
  private readonly bytesById = new Map<number, Uint8Array>();
  private next = OWN_IDS;

  idOf(c: RemoteCandidate): number {
    const bytes = c.bytes ? Uint8Array.from(c.bytes) : new TextEncoder().encode(c.text);
    let id = c.id;
    if (id === undefined) {
      const key = Array.from(bytes).join(',');
      id = this.byKey.get(key);
      if (id === undefined) {
        id = this.next++;
        this.byKey.set(key, id);
      }
    }
    if (!this.bytesById.has(id)) this.bytesById.set(id, bytes);
    return id;
  }

  bytes(id: number): Uint8Array {
    return this.bytesById.get(id) ?? new Uint8Array();
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function textOf(bytes: Uint8Array): { text: string; partial: boolean } {
  try {
    return { text: decoder.decode(bytes), partial: false };
  } catch {
    return { text: '', partial: true };
  }
}

/** Entropy (nats) of the returned alternatives alone: a lower bound on the whole distribution's. */
function partialEntropy(alts: readonly Alternative[]): number {
  return alts.reduce((h, a) => (a.rawProb > 0 ? h - a.rawProb * Math.log(a.rawProb) : h), 0);
}

export function remoteStep(table: TokenTable, t: RemoteToken, index: number, source: string, kind: ProbabilityKind): TokenStep {
  const id = table.idOf(t);
  const bytes = table.bytes(id);
  const alternatives: Alternative[] = t.top.map((a) => {
    const p = Math.exp(a.logprob);
    return { id: table.idOf(a), text: a.text, rawProb: p, finalProb: p };
  });
  const at = alternatives.findIndex((a) => a.id === id);
  const rawProb = Math.exp(t.logprob);
  if (at < 0) alternatives.push({ id, text: t.text, rawProb, finalProb: rawProb });
  const remote: RemoteStepFacts = { source, probabilities: kind, rankLowerBound: at < 0 };
  return {
    index,
    id,
    ...textOf(bytes),
    bytes: Array.from(bytes),
    rawProb,
    finalProb: rawProb,
    entropy: partialEntropy(alternatives),
    draw: 0,
    alternatives,
    rank: at < 0 ? t.top.length + 1 : at + 1,
    remote,
  };
}

/** Text the server sent without probabilities (it ignored the logprobs request): a step that says there are none. */
export function textOnlyStep(table: TokenTable, text: string, index: number, source: string): TokenStep {
  const id = table.idOf({ text, logprob: 0 });
  const bytes = Array.from(table.bytes(id));
  const remote: RemoteStepFacts = { source, probabilities: 'none', rankLowerBound: true };
  return { index, id, text, bytes, partial: false, rawProb: 0, finalProb: 0, entropy: 0, draw: 0, alternatives: [], rank: 0, remote };
}

/**
 * Other settings applied to a kept remote step: our sampling core over the returned alternatives' log
 * probabilities (renormalised over them), so it is marked approximate.
 */
export function resampleRemote(step: TokenStep, s: SamplingSettings, history: readonly number[], draw: number): TokenStep {
  const alts = step.alternatives;
  const { report, fates } = sampleAlternatives(alts, s, history, draw);
  const chosen = alts[report.id];
  const alternatives = alts.map((a, i) => ({ ...a, ...fates[i] }));
  return {
    ...step,
    id: chosen.id,
    text: chosen.text,
    bytes: Array.from(new TextEncoder().encode(chosen.text)),
    partial: false,
    rawProb: chosen.rawProb,
    finalProb: report.finalProb,
    draw: report.draw,
    rank: report.rank,
    alternatives,
    remote: { ...step.remote!, rankLowerBound: false, approximate: true },
  };
}
