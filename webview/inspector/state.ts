// The inspector's state, without DOM: the branch tree, what is selected, the live settings, and the
// distribution to draw for the selected step (reported, re-rendered locally, or the worker's exact
// resample). main.ts feeds it messages and renders from it.
import type { GenerationMeta, InspectorHostToView, PathStep, SamplingSettings } from '../protocol';
import { BranchTree } from '../shared/branch-tree';
import type { ColorMode } from '../shared/colors';
import { sameDistribution } from '../shared/controls';
import { applySampling, type ViewAlternative } from '../shared/local-sampler';

export type DistributionSource = 'reported' | 'local' | 'exact';

export interface ShownDistribution {
  alternatives: ViewAlternative[];
  source: DistributionSource;
  /** The chosen token of the generation at this position. */
  chosenId: number;
  draw: number;
  settings: SamplingSettings;
}

export class InspectorState {
  readonly tree = new BranchTree();
  sampling: SamplingSettings;
  defaults: SamplingSettings;
  modelName = '';
  topN = 20;
  colorMode: ColorMode = 'probability';
  /** List every reported alternative instead of the first ones. */
  allAlternatives = false;
  current: number | undefined;
  /** The selected token's position on the current path. */
  selectedPosition: number | undefined;
  /** Second generation shown side by side, when comparing. */
  compareWith: number | undefined;
  counters = { generate: 0, resample: 0 };
  error: string | undefined;
  /** Exact resamples by "generationId:position", for the settings they were made with. */
  private exact = new Map<string, { step: PathStep; settings: SamplingSettings }>();
  private requestSeq = 0;
  private pending = new Map<number, { key: string; settings: SamplingSettings }>();

  constructor(defaults: SamplingSettings) {
    this.defaults = defaults;
    this.sampling = { ...defaults };
  }

  /** Applies a host message; returns true when the view should redraw. */
  apply(msg: InspectorHostToView): boolean {
    switch (msg.type) {
      case 'init':
        this.sampling = { ...msg.sampling };
        this.defaults = { ...msg.defaults };
        this.modelName = msg.modelName;
        this.topN = msg.topN;
        return true;
      case 'generation':
        this.tree.add(msg.meta, msg.steps, msg.done);
        if (msg.select || this.current === undefined) this.select(msg.meta.generationId, msg.steps.length ? 0 : undefined);
        return true;
      case 'generation-start':
        this.tree.add(msg.meta);
        this.select(msg.meta.generationId, undefined);
        this.error = undefined;
        return true;
      case 'token':
        this.tree.addStep(msg.generationId, msg.step);
        if (this.current === msg.generationId && this.selectedPosition === undefined) this.selectedPosition = this.pathSteps().length - 1;
        return true;
      case 'generation-done':
        this.tree.finish(msg.generationId, msg.stopReason);
        return true;
      case 'resampled': {
        const p = this.pending.get(msg.requestId);
        if (!p) return false;
        this.pending.delete(msg.requestId);
        this.exact.set(p.key, { step: msg.step, settings: p.settings });
        return true;
      }
      case 'counters':
        this.counters = { generate: msg.generate, resample: msg.resample };
        return true;
      case 'prompt':
        return false;
      case 'error':
        this.error = msg.message;
        return true;
    }
  }

  select(generationId: number, position: number | undefined): void {
    this.current = generationId;
    this.selectedPosition = position;
  }

  currentMeta(): GenerationMeta | undefined {
    return this.current === undefined ? undefined : this.tree.get(this.current)?.meta;
  }

  pathSteps(id = this.current): PathStep[] {
    return id === undefined ? [] : this.tree.path(id).steps;
  }

  /** The generation that produced the token at `position` on the current path (a branch shows its parent's early tokens). */
  ownerOf(position: number): number | undefined {
    if (this.current === undefined) return undefined;
    return this.tree.path(this.current).owner[position];
  }

  moveSelection(delta: number): void {
    const n = this.pathSteps().length;
    if (n === 0) return;
    const at = this.selectedPosition === undefined ? (delta > 0 ? -1 : n) : this.selectedPosition;
    this.selectedPosition = Math.min(n - 1, Math.max(0, at + delta));
  }

  /**
   * Registers an exact resample request for the selected token under the current settings, when the
   * settings differ from the ones it was generated with. Returns what to send, or undefined.
   */
  requestExact(): { requestId: number; generationId: number; position: number } | undefined {
    const sel = this.selection();
    if (!sel) return undefined;
    const gen = this.tree.get(sel.owner)!;
    if (sameDistribution(gen.meta.sampling, this.sampling)) return undefined;
    const key = `${sel.owner}:${sel.step.position}`;
    const have = this.exact.get(key);
    if (have && sameDistribution(have.settings, this.sampling)) return undefined;
    for (const p of this.pending.values()) if (p.key === key && sameDistribution(p.settings, this.sampling)) return undefined;
    const requestId = ++this.requestSeq;
    this.pending.set(requestId, { key, settings: { ...this.sampling } });
    return { requestId, generationId: sel.owner, position: sel.step.position };
  }

  selection(): { step: PathStep; owner: number; history: number[] } | undefined {
    if (this.current === undefined || this.selectedPosition === undefined) return undefined;
    const { steps, owner } = this.tree.path(this.current);
    const step = steps[this.selectedPosition];
    if (!step) return undefined;
    // The host maps the owner's path position back to the worker's step of that generation.
    return { step, owner: owner[this.selectedPosition], history: steps.slice(0, this.selectedPosition).map((s) => s.id) };
  }

  /** What the alternatives chart shows for the selected token under the current settings. */
  shownDistribution(): ShownDistribution | undefined {
    const sel = this.selection();
    if (!sel) return undefined;
    const gen = this.tree.get(sel.owner)!;
    const base = { chosenId: sel.step.id, draw: sel.step.draw, settings: this.sampling };
    if (sameDistribution(gen.meta.sampling, this.sampling)) {
      return { ...base, source: 'reported', alternatives: sel.step.alternatives.map((a) => ({ ...a })) };
    }
    const exact = this.exact.get(`${sel.owner}:${sel.step.position}`);
    if (exact && sameDistribution(exact.settings, this.sampling)) {
      return { ...base, source: 'exact', draw: exact.step.draw, alternatives: exact.step.alternatives.map((a) => ({ ...a })) };
    }
    return { ...base, source: 'local', alternatives: applySampling(sel.step.alternatives, sel.history, this.sampling) };
  }
}
