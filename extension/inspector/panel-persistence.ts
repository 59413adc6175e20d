// What the inspector keeps across a window reload. VS Code restores the panel itself (the serializer in
// register.ts); the generations it showed come back from workspace state. The worker that made them is
// gone by then (a reload restarts the extension host), so they come back under negative, view-only ids:
// live controls still redraw them from the kept alternatives, and branching says to generate again.
import type { GenerationMeta, PathStep } from '../../webview/protocol';

export interface KeptGeneration {
  meta: GenerationMeta;
  steps: PathStep[];
  done: boolean;
  stopReason?: string;
}

export const PERSIST_KEY = 'tokenscope.inspector.generations';
/** The most recent generations kept (each holds up to 100 alternatives per step: keep the state small). */
export const MAX_PERSISTED = 8;

/** The newest MAX_PERSISTED generations, finished ones only (a half-streamed one cannot be continued). */
export function toPersist(gens: Iterable<KeptGeneration>): KeptGeneration[] {
  return [...gens].filter((g) => g.done).slice(-MAX_PERSISTED);
}

/**
 * Gives restored generations fresh view-only ids from `nextId` (counting down), keeping the branch links
 * between them; a branch whose parent was not kept becomes a root.
 */
export function restoreGenerations(saved: readonly KeptGeneration[], nextId: () => number): KeptGeneration[] {
  const ids = new Map<number, number>();
  for (const g of saved) ids.set(g.meta.generationId, nextId());
  return saved.map((g) => {
    const parent =
      g.meta.parent && ids.has(g.meta.parent.generationId)
        ? { ...g.meta.parent, generationId: ids.get(g.meta.parent.generationId)! }
        : undefined;
    return { ...g, meta: { ...g.meta, generationId: ids.get(g.meta.generationId)!, parent } };
  });
}
