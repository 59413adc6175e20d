// A seeded random source (mulberry32): the fault tests pick their moments and inputs from it, so a failing
// run can be replayed with the same seed.
export class Seeded {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of a fault test: TOKENSCOPE_FAULT_SEED replays a run, else the test's fixed default. */
export function seedOf(fallback: number): number {
  const env = Number(process.env.TOKENSCOPE_FAULT_SEED);
  return Number.isInteger(env) ? env : fallback;
}
