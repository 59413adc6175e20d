// Maps between the worker's step numbers and the inspector's path positions. A branch's tokens are
// shown after its parent's tokens up to the branch point, whatever number the worker gives its first
// step; requests about a step go back to the worker in its own numbering.

export class StepIndex {
  private readonly gens = new Map<number, { base: number; first?: number }>();

  /** `base`: the path position of this generation's first token (0 for a root, the branch step for a branch). */
  begin(generationId: number, base: number): void {
    if (!this.gens.has(generationId)) this.gens.set(generationId, { base });
  }

  /** Worker index -> path position. */
  toPath(generationId: number, workerIndex: number): number {
    const g = this.gens.get(generationId);
    if (!g) return workerIndex;
    if (g.first === undefined) g.first = workerIndex;
    return g.base + (workerIndex - g.first);
  }

  /** Path position -> worker index. */
  toWorker(generationId: number, pathIndex: number): number {
    const g = this.gens.get(generationId);
    if (!g || g.first === undefined) return pathIndex;
    return pathIndex - g.base + g.first;
  }
}

/**
 * Picks the token a uniform draw lands on, walking the kept alternatives from most to least likely
 * (as the worker's sampler does). Falls back to the last kept one when the draw lands past the
 * reported alternatives.
 */
export function tokenAtDraw(
  alternatives: readonly { id: number; text: string; finalProb: number }[],
  draw: number,
): { id: number; text: string } | undefined {
  const kept = alternatives.filter((a) => a.finalProb > 0).sort((a, b) => b.finalProb - a.finalProb);
  let cum = 0;
  for (const a of kept) {
    cum += a.finalProb;
    if (draw < cum) return a;
  }
  return kept[kept.length - 1];
}
