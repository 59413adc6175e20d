// Maps between the worker's step numbers (TokenStep.index, `step` in the worker protocol: counted within
// one generation) and the inspector's path positions (a branch's tokens are shown after its parent's tokens
// up to the branch point, whatever number the worker gives its first step). Requests about a token go back
// to the worker in its own numbering.
import type { TokenStep } from '../../model-runtime/protocol';
import type { PathStep } from '../../webview/protocol';

export class StepIndex {
  private readonly gens = new Map<number, { base: number; first?: number }>();

  /** `base`: the path position of this generation's first token (0 for a root, the branch point for a branch). */
  begin(generationId: number, base: number): void {
    if (!this.gens.has(generationId)) this.gens.set(generationId, { base });
  }

  forget(generationId: number): void {
    this.gens.delete(generationId);
  }

  /** Worker step -> path position. */
  toPosition(generationId: number, workerStep: number): number {
    const g = this.gens.get(generationId);
    if (!g) return workerStep;
    if (g.first === undefined) g.first = workerStep;
    return g.base + (workerStep - g.first);
  }

  /** Path position -> worker step. */
  toWorkerStep(generationId: number, position: number): number {
    const g = this.gens.get(generationId);
    if (!g || g.first === undefined) return position;
    return position - g.base + g.first;
  }

  /** A worker's step as the inspector shows it: numbered by its path position. */
  toPathStep(generationId: number, { index, ...step }: TokenStep): PathStep {
    return { ...step, position: this.toPosition(generationId, index) };
  }
}
