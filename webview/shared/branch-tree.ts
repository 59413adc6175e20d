// The inspector's generations as a tree: roots come from prompts, children from branching or
// resampling at a token of their parent. A node's full token path is its ancestors' tokens before
// the branch point followed by its own; every token carries its position on that path.
import type { GenerationMeta, PathStep } from '../protocol';

export interface BranchNode {
  meta: GenerationMeta;
  steps: PathStep[];
  done: boolean;
  stopReason?: string;
  children: number[];
  /**
   * The number the view shows (#1, #2, ... in the order generations arrived): worker ids are unique per model load,
   * so they are large and say nothing to a reader.
   */
  serial: number;
}

export interface TreeRow {
  id: number;
  depth: number;
  label: string;
}

export class BranchTree {
  private readonly nodes = new Map<number, BranchNode>();
  private readonly rootIds: number[] = [];
  private serials = 0;

  add(meta: GenerationMeta, steps: PathStep[] = [], done = false): BranchNode {
    const existing = this.nodes.get(meta.generationId);
    if (existing) {
      existing.meta = meta;
      if (steps.length) existing.steps = [...steps];
      existing.done = done || existing.done;
      return existing;
    }
    const node: BranchNode = { meta, steps: [...steps], done, children: [], serial: ++this.serials };
    this.nodes.set(meta.generationId, node);
    const parent = meta.parent && this.nodes.get(meta.parent.generationId);
    if (parent) parent.children.push(meta.generationId);
    else this.rootIds.push(meta.generationId);
    return node;
  }

  get(id: number): BranchNode | undefined {
    return this.nodes.get(id);
  }

  has(id: number): boolean {
    return this.nodes.has(id);
  }

  addStep(id: number, step: PathStep): void {
    const node = this.nodes.get(id);
    if (!node) return;
    // A branch's tokens may be numbered from the branch point or from 0; keep them in order either way.
    const at = node.steps.findIndex((s) => s.position === step.position);
    if (at >= 0) node.steps[at] = step;
    else node.steps.push(step);
  }

  finish(id: number, stopReason: string): void {
    const node = this.nodes.get(id);
    if (node) {
      node.done = true;
      node.stopReason = stopReason;
    }
  }

  /** Replaces one step (an exact resample) without touching the rest. */
  replaceStep(id: number, step: PathStep): void {
    this.addStep(id, step);
  }

  /**
   * Full token sequence of a node, from position 0: the parent's path up to the branch point, then
   * this node's own tokens from the branch point on.
   */
  path(id: number): { steps: PathStep[]; owner: number[] } {
    const node = this.nodes.get(id);
    if (!node) return { steps: [], owner: [] };
    const own = ownSteps(node);
    if (!node.meta.parent || !this.nodes.has(node.meta.parent.generationId)) {
      return { steps: own, owner: own.map(() => id) };
    }
    const up = this.path(node.meta.parent.generationId);
    const cut = node.meta.parent.position;
    return { steps: [...up.steps.slice(0, cut), ...own], owner: [...up.owner.slice(0, cut), ...own.map(() => id)] };
  }

  roots(): number[] {
    return [...this.rootIds];
  }

  /** Depth-first rows for drawing the tree. */
  rows(): TreeRow[] {
    const out: TreeRow[] = [];
    const visit = (id: number, depth: number) => {
      const n = this.nodes.get(id)!;
      out.push({ id, depth, label: nodeLabel(n) });
      for (const c of n.children) visit(c, depth + 1);
    };
    for (const r of this.rootIds) visit(r, 0);
    return out;
  }

  /** Drops nodes; a kept branch of a dropped node becomes a root (the host drops whole trees). */
  remove(ids: readonly number[]): void {
    const gone = new Set(ids);
    for (const id of ids) this.nodes.delete(id);
    const roots = this.rootIds.filter((id) => !gone.has(id));
    for (const n of this.nodes.values()) {
      n.children = n.children.filter((c) => !gone.has(c));
      const parent = n.meta.parent?.generationId;
      if (parent !== undefined && gone.has(parent) && !roots.includes(n.meta.generationId)) roots.push(n.meta.generationId);
    }
    this.rootIds.splice(0, this.rootIds.length, ...roots);
  }

  clear(): void {
    this.nodes.clear();
    this.rootIds.length = 0;
    this.serials = 0;
  }
}

/** A node's own tokens, positioned from its branch point. */
function ownSteps(node: BranchNode): PathStep[] {
  const base = node.meta.parent?.position ?? 0;
  const sorted = [...node.steps].sort((a, b) => a.position - b.position);
  // Tokens numbered from 0 in a branch are shifted to the branch point.
  const shift = node.meta.parent && sorted.length && sorted[0].position < base ? base - sorted[0].position : 0;
  return sorted.map((s) => (shift ? { ...s, position: s.position + shift } : s));
}

export function nodeLabel(n: BranchNode): string {
  const m = n.meta;
  if (m.origin === 'prompt') return `#${n.serial} ${shorten(m.prompt)}`;
  if (m.origin === 'completion' || m.origin === 'chat') return `#${n.serial} ${m.origin}: …${shortenEnd(m.prompt)}`;
  // Users read "step"; the browser tests match the label.
  const at = m.parent ? ` at step ${m.parent.position}` : '';
  if (m.origin === 'branch') return `#${n.serial} branch${at}: ${JSON.stringify(m.forcedText ?? '')}`;
  return `#${n.serial} resample${at} (T=${m.sampling.temperature})`;
}

function shortenEnd(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 28 ? one.slice(-28) : one;
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 32 ? one.slice(0, 31) + '…' : one;
}
