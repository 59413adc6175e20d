// Tokenscope: Download Model from Hugging Face…: pick a curated model or type any "org/name@revision", use it
// straight from the shared cache when it is whole there (no network), else pick one ONNX variant, download it
// with a cancellable progress notification, and offer to point tokenscope.model.path at the snapshot. The
// network and cache work is model-runtime/hub/ (no vscode); the hub token lives in SecretStorage.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { ONNX_PREFERENCE } from '../../model-runtime/model-folder';
import { hubCacheDir } from '../../model-runtime/hub/cache-layout';
import { type CachedModel, findCachedModel, modelPathOf } from '../../model-runtime/hub/cached-model';
import { type DownloadedModel, downloadModel, listRepo } from '../../model-runtime/hub/download-model';
import { hubEndpoint, repoPage } from '../../model-runtime/hub/endpoint';
import { HubError } from '../../model-runtime/hub/errors';
import { fetchFileMeta } from '../../model-runtime/hub/hub-http';
import { ggufVariants, onnxVariants, planFiles, type RepoListing } from '../../model-runtime/hub/plan';
import { applyChoice, type Settings } from '../settings';
import { CATALOG, parseRepoSpec } from './catalog';
import { formatBytes, progressText, SpeedMeter } from './progress-text';

export const HUB_TOKEN_SECRET = 'tokenscope.hub.token';

interface Deps {
  settings: Settings;
  log: vscode.LogOutputChannel;
  secrets: vscode.SecretStorage;
}

interface Target {
  repo: string;
  revision: string;
  /** Chosen up front (the command's argument): no precision picker. */
  variant?: string;
  /** Set tokenscope.model.path without asking. */
  use?: boolean;
}

/**
 * The command's optional argument, for keybindings and tasks: `{ repo: "org/name[@revision]", variant?, use? }`
 * downloads that model without the pickers (a cached one is used as it is).
 */
function targetFromArg(arg: unknown): Target | undefined {
  if (!arg || typeof arg !== 'object' || typeof (arg as { repo?: unknown }).repo !== 'string') return undefined;
  const a = arg as { repo: string; variant?: unknown; use?: unknown };
  return { ...parseRepoSpec(a.repo), variant: typeof a.variant === 'string' ? a.variant : undefined, use: a.use === true };
}

export function registerHubDownload(context: vscode.ExtensionContext, deps: Omit<Deps, 'secrets'>): void {
  let running = false;
  const run = async (arg?: unknown) => {
    if (running) return void vscode.window.showInformationMessage('Tokenscope is already downloading a model.');
    running = true;
    try {
      const target = targetFromArg(arg) ?? (await pickRepo());
      // Retry and Set Token… come back here with the same model (a retry resumes what was fetched).
      while (target) {
        try {
          return await download({ ...deps, secrets: context.secrets }, target);
        } catch (e) {
          if (!(await report(e, context.secrets, deps.log))) return;
        }
      }
    } finally {
      running = false;
    }
  };
  context.subscriptions.push(vscode.commands.registerCommand('tokenscope.downloadModel', run));
}

async function download(deps: Deps, target: Target): Promise<void> {
  const endpoint = hubEndpoint(deps.settings.value.hub.endpoint);
  const cacheDir = hubCacheDir();
  // Whole in the cache: no network at all unless the user asks for another variant.
  const cached = await findCachedModel(cacheDir, target.repo, target.revision);
  if (cached && target.use && (!target.variant || cached.variants.includes(target.variant)))
    return useModel(cached, target.variant ?? cached.variants[0], deps.log);
  if (cached) {
    const shown = cached.variants.map((v) => basename(v)).join(', ');
    const pick = await vscode.window.showInformationMessage(
      `${target.repo}@${target.revision} is already in the cache (${shown}): ${cached.dir}`,
      'Use It',
      'Download Another Variant…',
    );
    if (pick === 'Use It') return useModel(cached, cached.variants[0], deps.log);
    if (!pick) return;
  }
  // A gated repo lists without a token but refuses its files: one HEAD asks for the token before any choice.
  const list = async (t: string | undefined) => {
    const l = await listRepo({ endpoint, token: t }, target.repo, target.revision);
    if (l.siblings.some((f) => f.path === 'config.json'))
      await fetchFileMeta({ endpoint, token: t }, { repo: l.repo, revision: l.commit, path: 'config.json' });
    return l;
  };
  const { value: listing, token } = await withToken(deps.secrets, endpoint, target.repo, list);
  planFiles(listing); // a repo that is no model says what it lacks before any choice
  const variant = target.variant ?? (await pickVariant(listing, cached));
  if (!variant) return;
  const files = planFiles(listing, variant);
  deps.log.info(
    `hub: ${target.repo}@${target.revision} (${listing.commit}) from ${endpoint} into ${cacheDir}: ${files.map((f) => f.path).join(', ')}`,
  );
  const model = await withProgress(target, (signal, onProgress) =>
    downloadModel(listing, target.revision, files, { endpoint, token, cacheDir, signal, onProgress }),
  );
  deps.log.info(`hub: ${target.repo} is in ${model.dir} (fetched: ${model.fetched.join(', ') || 'nothing, all cached'})`);
  if (target.use) await useModel(model, variant, deps.log);
  else await offerUse(model, variant, deps.log);
}

/** The curated list, plus whatever "org/name[@revision]" is typed into the filter. */
async function pickRepo(): Promise<Target | undefined> {
  type Item = vscode.QuickPickItem & { target?: Target };
  const curated: Item[] = CATALOG.map((c) => ({
    label: c.repo,
    description: c.size,
    detail: `${c.goodFor} · ${c.license}`,
    target: { repo: c.repo, revision: 'main' },
  }));
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Tokenscope: download a model from Hugging Face';
  qp.placeholder = 'Pick one, or type any repo id: organisation/name or organisation/name@revision';
  qp.matchOnDescription = true;
  qp.items = curated;
  qp.onDidChangeValue((value) => {
    let typed: Item[] = [];
    try {
      const t = parseRepoSpec(value);
      typed = [{ label: `${t.repo}@${t.revision}`, description: 'from the hub', alwaysShow: true, target: t }];
    } catch {
      // Not a repo id (yet): only the curated entries.
    }
    qp.items = [...typed, ...curated];
  });
  const picked = await new Promise<Target | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const target = qp.selectedItems[0]?.target;
      if (!target && qp.value.trim())
        void vscode.window.showWarningMessage(`Tokenscope: "${qp.value.trim()}" is not a repo id (organisation/name).`);
      resolve(target);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return picked;
}

/** One ONNX variant or GGUF file: the runtime's preference first; sizes from the listing. Skipped when there is one. */
async function pickVariant(listing: RepoListing, cached: CachedModel | undefined): Promise<string | undefined> {
  const variants = onnxVariants(listing);
  const ggufs = ggufVariants(listing);
  if (variants.length + ggufs.length === 1) return (variants[0] ?? ggufs[0]).file;
  const sizeAndCache = (v: { file: string; bytes?: number }) =>
    `${v.bytes !== undefined ? ` · ${formatBytes(v.bytes)}` : ''}${cached?.variants.includes(v.file) ? ' · in the cache' : ''}`;
  const ggufItems = ggufs.map((v) => ({
    label: v.file,
    description: `GGUF ${v.dtype}${sizeAndCache(v)}`,
    detail: `Runs on llama.cpp${v.parts.length > 1 ? ` (${v.parts.length} parts)` : ''}`,
    file: v.file,
  }));
  const items = variants.map((v, i) => ({
    label: basename(v.file),
    description: `${v.dtype}${sizeAndCache(v)}`,
    detail: v.preferred
      ? i === 0
        ? 'Loads in Tokenscope; the default (int8 runs about as well and faster on the CPU)'
        : 'Loads in Tokenscope'
      : 'Not among the exports Tokenscope is tested with: it may not load',
    file: v.file,
  }));
  const pick = await vscode.window.showQuickPick([...items, ...ggufItems], { title: `Tokenscope: which precision of ${listing.repo}?` });
  return pick?.file;
}

/** Runs the download under a cancellable notification with bytes and speed. */
function withProgress(
  target: Target,
  run: (signal: AbortSignal, onProgress: Parameters<typeof downloadModel>[3]['onProgress']) => Promise<DownloadedModel>,
): Thenable<DownloadedModel> {
  const title = `Downloading ${target.repo}`;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, cancel) => {
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort());
    const meter = new SpeedMeter();
    let shown = 0;
    let last = 0;
    return run(abort.signal, (p) => {
      const now = Date.now();
      if (now - last < 250 && p.done < p.total) return;
      last = now;
      // The bar only moves forward (a server that ignored a Range request restarts a file from zero).
      const pct = Math.max(shown, p.total ? (100 * p.done) / p.total : 0);
      progress.report({ increment: pct - shown, message: progressText(p, meter.rate(p.transferred, now)) });
      shown = pct;
    });
  });
}

/** Runs f with the stored token; on a refusal asks for a token (stored in SecretStorage) and tries again. */
async function withToken<T>(
  secrets: vscode.SecretStorage,
  endpoint: string,
  repo: string,
  f: (token: string | undefined) => Promise<T>,
): Promise<{ value: T; token: string | undefined }> {
  // The stored token first; else HF_TOKEN, as huggingface_hub and the CLI read it.
  let token = (await secrets.get(HUB_TOKEN_SECRET)) || process.env.HF_TOKEN || undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return { value: await f(token), token };
    } catch (e) {
      if (!(e instanceof HubError) || e.code !== 'auth' || attempt >= 2) throw e;
      const asked = await askToken(secrets, `${repo} needs a token: accept its terms at ${repoPage(endpoint, repo)} if it is gated`);
      if (!asked) throw e;
      token = asked;
    }
  }
}

async function askToken(secrets: vscode.SecretStorage, why: string): Promise<string | undefined> {
  const token = await vscode.window.showInputBox({
    title: 'Tokenscope: Hugging Face token',
    prompt: `${why}. A read token from https://huggingface.co/settings/tokens (kept in VS Code's secret storage; empty removes it).`,
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  if (!token.trim()) {
    await secrets.delete(HUB_TOKEN_SECRET);
    return undefined;
  }
  await secrets.store(HUB_TOKEN_SECRET, token.trim());
  return token.trim();
}

/** Offers the snapshot as the model folder, saying which graph will load when the folder holds several. */
async function offerUse(model: CachedModel, variant: string, log: vscode.LogOutputChannel): Promise<void> {
  const names = model.variants.filter((v) => !v.endsWith('.gguf')).map((v) => basename(v));
  const loads = variant.endsWith('.gguf') ? basename(variant) : (ONNX_PREFERENCE.find((n) => names.includes(n)) ?? names.sort()[0]);
  const note = loads === basename(variant) ? '' : ` Tokenscope loads ${loads} from this folder (it prefers it to ${basename(variant)}).`;
  const path = modelPathOf(model, variant);
  const pick = await vscode.window.showInformationMessage(`Downloaded into ${path}.${note}`, 'Use It', 'Copy Path');
  if (pick === 'Use It') await useModel(model, variant, log);
  else if (pick === 'Copy Path') await vscode.env.clipboard.writeText(path);
}

/** tokenscope.model.path (user settings) = the snapshot folder, on the local backend. */
async function useModel(model: CachedModel, variant: string, log: vscode.LogOutputChannel): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('tokenscope');
  const path = modelPathOf(model, variant);
  await applyChoice('model.path', path);
  if (cfg.get('model.backend') === 'remote') await applyChoice('model.backend', 'local');
  log.info(`hub: tokenscope.model.path = ${path}`);
}

/** A failure as a message with what to do; true when the download should run again. A cancel is not an error. */
async function report(e: unknown, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): Promise<boolean> {
  const message = e instanceof Error ? e.message : String(e);
  log.error(`hub: ${message}`);
  const code = e instanceof HubError ? e.code : undefined;
  if (code === 'cancelled') {
    void vscode.window.showInformationMessage(
      'Tokenscope: download cancelled. Nothing was added to the model folder; the part already fetched stays in the cache and the next download resumes it.',
    );
    return false;
  }
  const actions = [
    ...(code && ['network', 'disk-full', 'integrity', 'cache-unwritable', 'http'].includes(code) ? ['Retry'] : []),
    ...(code === 'auth' || code === 'repo-not-found' ? ['Set Token…'] : []),
    'Show Log',
  ];
  const pick = await vscode.window.showErrorMessage(`Tokenscope could not download the model: ${message}`, ...actions);
  if (pick === 'Show Log') log.show();
  if (pick === 'Set Token…') return !!(await askToken(secrets, 'The hub refused the request without a token that can read the model'));
  return pick === 'Retry';
}
