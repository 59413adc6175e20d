// How many generations the inspector holds: each step carries up to 100 alternatives, in the host and again in the
// view, so a long session of explained completions would grow without end. The oldest trees go first, whole.
import type { KeptGeneration } from './panel-persistence';

/** Generations the inspector keeps at most (a 48-token completion with its alternatives is about 1 MB). */
export const MAX_SHOWN = 48;

/**
 * The ids to forget so that at most `max` generations remain: whole trees (a root with every branch of it), oldest
 * first, never a tree holding one of `keep` (the one shown or streaming). A branch whose parent is gone is a root.
 */
export function oldestTrees(gens: ReadonlyMap<number, KeptGeneration>, max: number, keep: ReadonlySet<number>): number[] {
  const rootOf = (id: number): number => {
    const parent = gens.get(id)?.meta.parent?.generationId;
    return parent !== undefined && parent !== id && gens.has(parent) ? rootOf(parent) : id;
  };
  const trees = new Map<number, number[]>();
  for (const id of gens.keys()) {
    const root = rootOf(id);
    const tree = trees.get(root) ?? [];
    tree.push(id);
    trees.set(root, tree);
  }
  const forget: number[] = [];
  let left = gens.size;
  for (const ids of trees.values()) {
    if (left <= max) break;
    if (ids.some((id) => keep.has(id))) continue;
    forget.push(...ids);
    left -= ids.length;
  }
  return forget;
}
