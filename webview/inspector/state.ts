// The inspector's state, without DOM: the branch tree, what is selected, the live settings, and the
// distribution to draw for the selected step (reported, re-rendered locally, or the worker's exact
// resample). main.ts feeds it messages and renders from it.
import { cumulative, tokenAtDraw } from '../../sampling/draw';
import type { GenerationMeta, InspectorHostToView, PathStep, SamplingSettings } from '../protocol';
import { BranchTree } from '../shared/branch-tree';
import type { ColorMode } from '../shared/colors';
import { CONTROLS, type ControlSpec, sameDistribution } from '../shared/controls';
import { applySampling, type ViewAlternative } from '../shared/local-sampler';

export type DistributionSource = 'reported' | 'local' | 'exact';

/** How the runtime chose the token at a position. */
export type StepHow = 'sampled' | 'greedy' | 'forced' | 'resampled';

export interface ShownAlternative extends ViewAlternative {
  /** The final probability as generated, when the settings have changed since. */
  wasFinal?: number;
  wasRemovedBy?: ViewAlternative['removedBy'];
}

export interface ShownDistribution {
  /** Under the current settings. */
  alternatives: ShownAlternative[];
  source: DistributionSource;
  /** The chosen token of the generation at this position. */
  chosenId: number;
  /** The uniform draw that chose it (0 when greedy or forced). */
  draw: number;
  settings: SamplingSettings;
  /** The settings the token was generated with. */
  generatedWith: SamplingSettings;
  how: StepHow;
  /** What differs from the generation's settings, e.g. "Temperature 0.7 → 1.3"; empty when nothing does. */
  changes: string[];
  /** The final probability of the chosen token under the current settings. */
  chosenFinal: number;
  /** Where a draw lands under the current settings (the same draw, or the worker's exact one). */
  nowPicks?: { id: number; text: string; draw: number };
  /** Why the worker's exact redraw will not come (the estimate stays). */
  exactUnavailable?: string;
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
  /** What happened to a value typed into a control (clamped, refused), by setting. */
  readonly controlNotes = new Map<ControlSpec['key'], string>();
  /** Generations the worker cannot redraw, and why. */
  private readonly unkept = new Map<number, string>();
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
        if (msg.select || this.current === undefined) {
          this.select(msg.meta.generationId, msg.steps.length ? 0 : undefined);
          this.error = undefined;
        }
        return true;
      case 'generation-start':
        this.tree.add(msg.meta);
        // A resample or branch opens at the token it changed; a new prompt at its start.
        this.select(msg.meta.generationId, msg.meta.parent?.position);
        this.error = undefined;
        this.compareWith = undefined;
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
      case 'resample-failed':
        this.unkept.set(msg.generationId, msg.reason);
        for (const [id, p] of this.pending) if (p.key.startsWith(`${msg.generationId}:`)) this.pending.delete(id);
        return true;
      case 'counters':
        this.counters = { generate: msg.generate, resample: msg.resample };
        return true;
      case 'forget':
        return this.forget(msg.generationIds);
      case 'prompt':
        return false;
      case 'error':
        this.error = msg.message;
        return true;
    }
  }

  /** Lets generations go (the host's limit); the view moves to the newest one if it showed a forgotten one. */
  private forget(ids: readonly number[]): boolean {
    this.tree.remove(ids);
    for (const id of ids) this.unkept.delete(id);
    for (const key of [...this.exact.keys()]) if (!this.tree.has(Number(key.split(':')[0]))) this.exact.delete(key);
    if (this.compareWith !== undefined && !this.tree.has(this.compareWith)) this.compareWith = undefined;
    if (this.current !== undefined && !this.tree.has(this.current)) {
      const rows = this.tree.rows();
      this.select(rows[rows.length - 1]?.id, undefined);
    }
    return true;
  }

  select(generationId: number, position: number | undefined): void {
    this.current = generationId;
    this.selectedPosition = position;
  }

  /** True while a generation streams (Stop has something to stop). */
  running(): boolean {
    return this.tree.rows().some((r) => !this.tree.get(r.id)!.done);
  }

  /** Why the worker cannot redraw this generation's steps, if it cannot. */
  notKept(generationId: number): string | undefined {
    if (generationId < 0) return 'this generation was restored or made elsewhere, so the model worker does not keep its logits';
    return this.unkept.get(generationId);
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
    if (sameDistribution(gen.meta.sampling, this.sampling) || this.notKept(sel.owner)) return undefined;
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

  /** True while an exact redraw of the selected step under the current settings is on its way. */
  exactPending(): boolean {
    const sel = this.selection();
    if (!sel) return false;
    const key = `${sel.owner}:${sel.step.position}`;
    return [...this.pending.values()].some((p) => p.key === key && sameDistribution(p.settings, this.sampling));
  }

  /** What the alternatives chart shows for the selected token under the current settings. */
  shownDistribution(): ShownDistribution | undefined {
    const sel = this.selection();
    if (!sel) return undefined;
    const gen = this.tree.get(sel.owner)!;
    const generatedWith = gen.meta.sampling;
    const how = stepHow(sel.step, gen.meta, generatedWith);
    const base = {
      chosenId: sel.step.id,
      draw: how === 'sampled' || how === 'resampled' ? sel.step.draw : 0,
      settings: this.sampling,
      generatedWith,
      how,
      changes: settingChanges(generatedWith, this.sampling),
    };
    if (sameDistribution(generatedWith, this.sampling)) {
      const alternatives = sel.step.alternatives.map((a) => ({ ...a }));
      return { ...base, source: 'reported', alternatives, chosenFinal: sel.step.finalProb };
    }
    const before = new Map(sel.step.alternatives.map((a) => [a.id, a]));
    const was = (alts: ViewAlternative[]): ShownAlternative[] =>
      alts.map((a) => ({ ...a, wasFinal: before.get(a.id)?.finalProb ?? 0, wasRemovedBy: before.get(a.id)?.removedBy }));
    const finalOf = (alts: ViewAlternative[]) => alts.find((a) => a.id === sel.step.id)?.finalProb ?? 0;
    const exact = this.exact.get(`${sel.owner}:${sel.step.position}`);
    if (exact && sameDistribution(exact.settings, this.sampling)) {
      const alternatives = was(exact.step.alternatives);
      const nowPicks = this.sampling.temperature > 0 ? { id: exact.step.id, text: exact.step.text, draw: exact.step.draw } : undefined;
      return { ...base, source: 'exact', alternatives, chosenFinal: finalOf(alternatives), nowPicks };
    }
    const alternatives = was(applySampling(sel.step.alternatives, sel.history, this.sampling));
    const seg = base.draw > 0 && this.sampling.temperature > 0 ? tokenAtDraw(cumulative(alternatives), base.draw) : undefined;
    const nowPicks = seg && { id: seg.id, text: seg.text, draw: base.draw };
    return {
      ...base,
      source: 'local',
      alternatives,
      chosenFinal: finalOf(alternatives),
      nowPicks,
      exactUnavailable: this.notKept(sel.owner),
    };
  }
}

/** How the runtime chose a token: a resample's first token is a draw, other first tokens of a branch are forced. */
export function stepHow(step: PathStep, meta: GenerationMeta, s: SamplingSettings): StepHow {
  if (meta.origin === 'resample' && step.position === meta.parent?.position) return 'resampled';
  if (step.forced) return 'forced';
  return s.temperature === 0 ? 'greedy' : 'sampled';
}

/** The distribution settings that differ, labelled as the controls label them. */
export function settingChanges(from: SamplingSettings, to: SamplingSettings): string[] {
  const out: string[] = [];
  for (const c of CONTROLS) {
    if (c.key === 'seed' || c.key === 'maxTokens') continue;
    if (from[c.key] !== to[c.key]) out.push(`${c.label} ${from[c.key]} → ${to[c.key]}`);
  }
  return out;
}
