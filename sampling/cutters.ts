// The cutters: top-k, top-p, min-p, applied in that order to the sorted head after the temperature. Each
// validates its value on construction; given the kept prefix [0, end) of the head and that prefix's mass it
// returns the new end (never below 1: the top token always stays), so what it removed is [newEnd, end).
import type { Head } from './head';
import { checkSetting, type Cutter, SAMPLING } from './settings';

export interface HeadCutter {
  readonly name: Exclude<Cutter, 'greedy'>;
  /** Whether it can remove anything from a vocabulary of `size` (false at its off value). */
  activeFor(size: number): boolean;
  /** As the first cutter (its input is the whole vocabulary): whether `head` holds every token it can keep. */
  covers(head: Head): boolean;
  /** The new end of the kept prefix. `mass`: the summed weight of what the earlier cutters kept. */
  cut(head: Head, end: number, mass: number): number;
}

/** Keeps the k most likely tokens (ties: lower id first). */
export class TopK implements HeadCutter {
  readonly name = 'top-k';
  constructor(readonly k: number) {
    checkSetting('topK', k);
  }
  activeFor(size: number): boolean {
    return this.k !== SAMPLING.topK.off && this.k < size;
  }
  covers(head: Head): boolean {
    return head.ids.length >= this.k;
  }
  cut(_head: Head, end: number): number {
    return Math.min(this.k, end);
  }
}

/** Keeps the smallest most-likely prefix whose share of the kept mass reaches p (p = 0: the top token alone). */
export class TopP implements HeadCutter {
  readonly name = 'top-p';
  constructor(readonly p: number) {
    checkSetting('topP', p);
  }
  activeFor(): boolean {
    return this.p !== SAMPLING.topP.off;
  }
  covers(head: Head): boolean {
    return head.mass / head.total >= this.p;
  }
  cut(head: Head, end: number, mass: number): number {
    let cum = 0;
    for (let r = 0; r < end; r++) {
      cum += head.weights[r] / mass;
      if (cum >= this.p) return r + 1;
    }
    return end;
  }
}

/** Keeps the tokens at least min-p times as likely as the top one. */
export class MinP implements HeadCutter {
  readonly name = 'min-p';
  /** p_i >= minP * p_top  <=>  s_i - s_top >= ln(minP); 1e-6 of slack: logits are float32, and a token exactly
   * at the threshold must not fall out by rounding. */
  private readonly threshold: number;
  constructor(readonly minP: number) {
    checkSetting('minP', minP);
    this.threshold = Math.log(minP) - 1e-6;
  }
  activeFor(): boolean {
    return this.minP !== SAMPLING.minP.off;
  }
  covers(head: Head): boolean {
    return head.depth >= -this.threshold;
  }
  cut(head: Head, end: number): number {
    const s = head.logits;
    const top = s[head.ids[0]];
    let e = 1;
    // A logit equal to the top is at the top, also where both are -Infinity.
    while (e < end && (s[head.ids[e]] === top || s[head.ids[e]] - top >= this.threshold)) e++;
    return e;
  }
}
