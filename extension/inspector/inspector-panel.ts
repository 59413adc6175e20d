// Host side of the inspector: one WebviewPanel, the generations it shows, and the requests it makes
// to the runtime (generate, branch, resample). Control changes cost no model run: they become
// 'resample' requests on kept logits, counted separately so the view can show it.
import * as vscode from 'vscode';
import type { BranchFrom, SamplingSettings, TokenStep } from '../../model-runtime/protocol';
import type { GenerationMeta, InspectorHostToView, InspectorViewToHost } from '../../webview/protocol';
import type { RuntimePort, ViewDeps } from '../runtime-port';
import { drawnStep, resamplePick } from './resample-step';
import { MAX_SHOWN, oldestTrees } from './forget';
import { StepIndex } from './step-index';
import { webviewHtml, webviewOptions } from '../webview-html';
import { type KeptGeneration, PERSIST_KEY, restoreGenerations, toPersist } from './panel-persistence';

/**
 * What can open the inspector: a prompt to generate from, or a finished generation, with the runtime that keeps it
 * (`keeper`, default the views' runtime: a chat reply from the chat's own model passes the chat's).
 */
export type InspectorInput =
  | { prompt: string; generate?: boolean }
  | { prompt: string; steps: TokenStep[]; generationId?: number; sampling?: SamplingSettings; origin?: string; keeper?: RuntimePort };

/** Alternatives asked per step: enough for GLTR's top-10/top-100 buckets; the view lists the first 20. */
export const TOP_N = 100;
const SETTINGS_KEY = 'tokenscope.inspector.sampling';

type Gen = KeptGeneration;

/** What the inspector needs: the views' runtime and settings, and the X-ray panel for a selected step. */
export interface InspectorDeps extends ViewDeps {
  xrayStep?(keeper: RuntimePort, generationId: number, workerStep: number, label: string): Promise<unknown>;
}

export class InspectorPanel {
  static readonly viewType = 'tokenscope.inspector';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private queue: InspectorHostToView[] = [];
  private readonly gens = new Map<number, Gen>();
  /** The runtime that keeps each generation: resample, branch and X-ray go to it (ids are unique across runtimes). */
  private readonly keepers = new Map<number, RuntimePort>();
  private readonly positions = new StepIndex();
  private counters = { generate: 0, resample: 0 };
  private current: AbortController | undefined;
  /** Generations shown without a worker id (e.g. restored ones) get negative ids. */
  private localId = -1;
  /** Fires after each message the panel posts, for tests. */
  readonly onDidPost = new vscode.EventEmitter<InspectorHostToView>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: InspectorDeps,
  ) {}

  /** Restores the panel VS Code kept across a window reload, with the generations it showed. */
  restore(panel: vscode.WebviewPanel): void {
    const saved = this.context.workspaceState.get<KeptGeneration[]>(PERSIST_KEY) ?? [];
    for (const g of restoreGenerations(saved, () => this.localId--)) {
      this.positions.begin(g.meta.generationId, g.meta.parent?.position ?? 0);
      this.gens.set(g.meta.generationId, g);
    }
    this.adopt(panel);
  }

  /** Wires a panel (new or restored) to this host; its listeners go when it closes. */
  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.ready = false;
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'tokenscope.svg');
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'inspector', 'Tokenscope Inspector');
    const subs = [panel.webview.onDidReceiveMessage((m: InspectorViewToHost) => this.receive(m))];
    subs.push(
      panel.onDidDispose(() => {
        for (const d of subs) d.dispose();
        if (this.panel !== panel) return;
        this.panel = undefined;
        this.ready = false;
        this.current?.abort();
      }),
    );
  }

  /** Keeps the finished generations for the next window reload. */
  private persist(): void {
    void this.context.workspaceState.update(PERSIST_KEY, toPersist(this.gens.values()));
  }

  get visible(): boolean {
    return !!this.panel;
  }

  stats(): { generate: number; resample: number; generations: number } {
    return { ...this.counters, generations: this.gens.size };
  }

  private sampling(): SamplingSettings {
    const saved = this.context.globalState.get<SamplingSettings>(SETTINGS_KEY);
    return { ...this.deps.sampling(), ...(saved ?? {}), stop: this.deps.sampling().stop };
  }

  show(input?: InspectorInput): void {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(
        InspectorPanel.viewType,
        'Tokenscope Inspector',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
        { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: true },
      );
      this.adopt(panel);
    } else {
      this.panel.reveal(undefined, false);
    }
    if (!input) return;
    if ('steps' in input) {
      const meta: GenerationMeta = {
        generationId: input.generationId ?? this.localId--,
        prompt: input.prompt,
        sampling: input.sampling ?? this.sampling(),
        origin: input.origin === 'completion' || input.origin === 'chat' ? input.origin : 'prompt',
      };
      this.positions.begin(meta.generationId, 0);
      this.keepers.set(meta.generationId, input.keeper ?? this.deps.runtime);
      const steps = input.steps.map((s) => this.positions.toPathStep(meta.generationId, s));
      this.gens.set(meta.generationId, { meta, steps, done: true, stopReason: 'done' });
      this.persist();
      this.post({ type: 'generation', meta, steps, done: true, select: true });
      this.forgetOldest(meta.generationId);
    } else {
      this.post({ type: 'prompt', text: input.prompt });
      if (input.generate !== false && input.prompt.trim())
        this.generate(input.prompt, this.sampling()).catch((err) =>
          this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
        );
    }
  }

  private post(msg: InspectorHostToView): void {
    if (!this.panel) return;
    if (!this.ready) {
      this.queue.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
    this.onDidPost.fire(msg);
  }

  /** A message from the view (the extension-host tests send them the same way). */
  async receive(m: InspectorViewToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready': {
          this.ready = true;
          const model = this.deps.runtime.model();
          const s = this.sampling();
          this.post({ type: 'init', sampling: s, defaults: this.deps.sampling(), modelName: model?.name ?? '', topN: TOP_N });
          // A reloaded webview gets every generation again; then what was queued while it loaded.
          for (const g of this.gens.values()) this.post({ type: 'generation', meta: g.meta, steps: g.steps, done: g.done });
          const queued = this.queue;
          this.queue = [];
          for (const q of queued) this.post(q);
          this.post({ type: 'counters', ...this.counters });
          return;
        }
        case 'generate':
          return void (await this.generate(m.prompt, m.sampling));
        case 'save-settings':
          await this.context.globalState.update(SETTINGS_KEY, m.sampling);
          return;
        case 'stop':
          this.current?.abort();
          return;
        case 'resample-step':
          return void (await this.redraw(m.requestId, m.generationId, m.position, m.sampling));
        case 'branch':
          return void (await this.branch(m.generationId, m.position, m.forcedToken, m.forcedText, m.sampling, 'branch'));
        case 'regenerate-from':
          return void (await this.resampleFrom(m.generationId, m.position, m.sampling));
        case 'xray-step':
          return void (await this.xrayStep(m.generationId, m.position));
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * A control change on one step: the worker re-applies the settings to that step's kept logits (no model
   * run). The view always hears back, so its "pending" note resolves either way.
   */
  private async redraw(requestId: number, generationId: number, position: number, sampling: SamplingSettings): Promise<void> {
    if (generationId < 0) {
      const reason = 'this generation was restored or made elsewhere, so the model worker does not keep its logits';
      return this.post({ type: 'resample-failed', requestId, generationId, reason });
    }
    this.counters.resample++;
    this.post({ type: 'counters', ...this.counters });
    try {
      const workerStep = this.positions.toWorkerStep(generationId, position);
      const { index: _, ...step } = await this.keeper(generationId).resample(generationId, workerStep, sampling, TOP_N);
      this.post({ type: 'resampled', requestId, generationId, step: { ...step, position } });
    } catch (err) {
      this.post({ type: 'resample-failed', requestId, generationId, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /** "X-ray this step": the X-ray panel runs the context the model had before this token (the worker's kept tokens). */
  private async xrayStep(generationId: number, position: number): Promise<void> {
    if (generationId < 0) throw new Error('This generation was not kept by the model worker; generate it again to X-ray a step.');
    if (!this.deps.xrayStep) throw new Error('The X-ray view is not available.');
    const text = this.gens.get(generationId)?.steps.find((s) => s.position === position)?.text ?? '';
    await this.deps.xrayStep(
      this.keeper(generationId),
      generationId,
      this.positions.toWorkerStep(generationId, position),
      `step ${position + 1} (${JSON.stringify(text)})`,
    );
  }

  /** "Resample": draw this position again under new settings from its kept logits, then continue from the new token. */
  private async resampleFrom(generationId: number, position: number, requested: SamplingSettings): Promise<void> {
    if (generationId < 0) throw new Error('This generation was not kept by the model worker; generate it again to resample.');
    const keeper = this.keeper(generationId);
    const resampled = await keeper.resample(generationId, this.positions.toWorkerStep(generationId, position), requested, TOP_N);
    // With a seed the worker's own draw decides (reproducible); without one, draw afresh, and continue
    // under a fresh seed so the continuation is new too.
    const fresh = requested.seed === undefined && requested.temperature > 0;
    const pick = resamplePick(resampled, fresh, Math.random);
    if (!pick) throw new Error('No token survives these settings.');
    const sampling = fresh ? { ...requested, seed: Math.floor(Math.random() * 2 ** 31) } : requested;
    await this.branch(generationId, position, pick.id, pick.text, sampling, 'resample', (forced) =>
      drawnStep(forced, resampled, pick.draw),
    );
  }

  private async branch(
    generationId: number,
    position: number,
    forcedToken: number,
    forcedText: string,
    sampling: SamplingSettings,
    origin: 'branch' | 'resample',
    firstStep?: (forced: TokenStep) => TokenStep,
  ): Promise<void> {
    const parent = this.gens.get(generationId);
    if (!parent) throw new Error('That generation is no longer known to the inspector.');
    if (generationId < 0) throw new Error('This generation was not kept by the model worker; generate it again to branch.');
    const from: BranchFrom = { generationId, step: this.positions.toWorkerStep(generationId, position), forcedToken };
    const meta = { origin, forcedText, parent: { generationId, position } };
    await this.run(this.keeper(generationId), parent.meta.prompt, sampling, from, meta, firstStep);
  }

  private generate(prompt: string, sampling: SamplingSettings): Promise<void> {
    return this.run(this.deps.runtime, prompt, sampling, undefined, { origin: 'prompt' });
  }

  /** Past MAX_SHOWN generations, lets the oldest trees go, here and in the view (never the newest one's tree). */
  private forgetOldest(newest: number): void {
    const ids = oldestTrees(this.gens, MAX_SHOWN, new Set([newest]));
    if (!ids.length) return;
    for (const id of ids) {
      this.gens.delete(id);
      this.keepers.delete(id);
      this.positions.forget(id);
    }
    this.post({ type: 'forget', generationIds: ids });
  }

  /** The runtime that made a generation (a branch is made by its parent's). */
  private keeper(generationId: number): RuntimePort {
    return this.keepers.get(generationId) ?? this.deps.runtime;
  }

  private async run(
    runtime: RuntimePort,
    prompt: string,
    sampling: SamplingSettings,
    branch: BranchFrom | undefined,
    meta: Pick<GenerationMeta, 'origin' | 'forcedText' | 'parent'>,
    /** Replaces the branch's forced first step (a resample shows its draw instead). */
    firstStep?: (forced: TokenStep) => TokenStep,
  ): Promise<void> {
    this.current?.abort();
    const abort = new AbortController();
    this.current = abort;
    this.counters.generate++;
    this.post({ type: 'counters', ...this.counters });
    let gen: Gen | undefined;
    const start = (generationId: number) => {
      gen = { meta: { generationId, prompt, sampling, ...meta }, steps: [], done: false };
      this.gens.set(generationId, gen);
      this.keepers.set(generationId, runtime);
      this.positions.begin(generationId, meta.parent?.position ?? 0);
      this.post({ type: 'generation-start', meta: gen.meta });
      this.forgetOldest(generationId);
    };
    try {
      const result = await runtime.generate({
        prompt: { text: prompt },
        sampling,
        topN: TOP_N,
        priority: 'interactive',
        branch,
        signal: abort.signal,
        // Shown as streaming at once: a long prompt's prefill would otherwise leave the previous generation on view.
        onStart: (generationId) => {
          if (!gen) start(generationId);
        },
        onToken: (step, _delta, generationId) => {
          if (!gen) start(generationId);
          const s = this.positions.toPathStep(generationId, step.forced && firstStep ? firstStep(step) : step);
          gen!.steps.push(s);
          this.post({ type: 'token', generationId, step: s });
        },
      });
      if (!gen) start(result.generationId);
      gen!.done = true;
      gen!.stopReason = result.stats.stopReason;
      this.persist();
      this.post({ type: 'generation-done', generationId: result.generationId, stopReason: result.stats.stopReason });
    } finally {
      if (this.current === abort) this.current = undefined;
    }
  }

  dispose(): void {
    this.panel?.dispose();
    this.onDidPost.dispose();
  }
}
