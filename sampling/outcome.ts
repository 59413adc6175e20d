// What the processors leave: the kept set, each token's final probability and the cutter that removed it,
// and the draw over the kept tokens. Greedy keeps one token; otherwise the cutters shrink the sorted head.
import type { HeadCutter } from './cutters';
import { drawIndex } from './draw';
import type { Head } from './head';
import type { Cutter } from './settings';
import { weightOf } from './stats';

export interface Fate {
  /** Probability after every processor (0 when removed). */
  finalProb: number;
  removedBy: Cutter | undefined;
}

export interface Outcome {
  /** How many tokens survived every cutter. */
  readonly keptCount: number;
  /** Whether the draw decided (false for greedy, which reports draw 0). */
  readonly drawn: boolean;
  /** The token a uniform draw in [0, 1) picks. */
  pick(draw: number): number;
  fate(id: number): Fate;
}

/** Temperature 0: the top processed logit, every other token removed as 'greedy'. */
export class Greedy implements Outcome {
  readonly keptCount = 1;
  readonly drawn = false;
  constructor(private readonly best: number) {}
  pick(): number {
    return this.best;
  }
  fate(id: number): Fate {
    return id === this.best ? { finalProb: 1, removedBy: undefined } : { finalProb: 0, removedBy: 'greedy' };
  }
}

/** The cutters applied in order to the sorted head; with no cutter every token is kept, the tail too. */
export class Kept implements Outcome {
  readonly keptCount: number;
  readonly drawn = true;
  /** ends[i]: the kept prefix of the head after cutters[i]. */
  private readonly ends: number[] = [];
  private readonly end: number;
  private readonly keptMass: number;
  /** No cutter and a head short of the vocabulary: the tokens past the head are kept too. */
  private readonly keepTail: boolean;

  constructor(
    private readonly head: Head,
    private readonly cutters: readonly HeadCutter[],
  ) {
    let end = head.ids.length;
    let mass = head.mass;
    for (const [i, c] of cutters.entries()) {
      // The first cutter's input is the whole vocabulary; a later one's, what the earlier ones kept.
      end = c.cut(head, end, i === 0 ? head.total : mass);
      this.ends.push(end);
      mass = 0;
      for (let r = 0; r < end; r++) mass += head.weights[r];
    }
    this.end = end;
    this.keepTail = cutters.length === 0 && !head.complete;
    this.keptMass = this.keepTail ? Math.max(mass, head.total) : mass;
    this.keptCount = this.keepTail ? head.logits.length : end;
  }

  pick(draw: number): number {
    const { ids, weights } = this.head;
    const target = draw * this.keptMass;
    const walk = drawIndex(weights, this.end, target);
    if (walk.index >= 0) return ids[walk.index];
    return this.keepTail ? this.pickInTail(target, walk.cum) : ids[Math.max(0, this.end - 1)];
  }

  /** The draw walked past the head: on through the tail in id order (any fixed order samples the same distribution). */
  private pickInTail(target: number, cum: number): number {
    const { logits, max } = this.head;
    const cut = max - this.head.depth;
    let chosen = this.head.ids[this.end - 1];
    for (let i = 0; i < logits.length; i++) {
      if (logits[i] >= cut) continue;
      const w = weightOf(logits[i], max);
      if (w === 0) continue; // never the pick, not even when rounding leaves the draw past every token
      cum += w;
      chosen = i;
      if (cum > target) break;
    }
    return chosen;
  }

  fate(id: number): Fate {
    const removedBy = this.removedBy(id);
    return { finalProb: removedBy ? 0 : weightOf(this.head.logits[id], this.head.max) / this.keptMass, removedBy };
  }

  /** The first cutter that removed `id`; a token past the head fell to the first cutter. */
  private removedBy(id: number): Cutter | undefined {
    if (this.cutters.length === 0) return undefined;
    const r = this.rankInHead(id);
    if (r < 0) return this.cutters[0].name;
    for (const [i, c] of this.cutters.entries()) if (r >= this.ends[i]) return c.name;
    return undefined;
  }

  private rankInHead(id: number): number {
    const { ids, logits, max, depth } = this.head;
    if (!(logits[id] >= max - depth)) return -1;
    for (let r = 0; r < ids.length; r++) if (ids[r] === id) return r;
    return -1;
  }
}
