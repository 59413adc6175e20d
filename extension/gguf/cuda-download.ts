// Tokenscope: Download llama.cpp CUDA Backend…: the CUDA build of llama.cpp is too large for the VSIX, so it is
// fetched from the npm registry when the user asks (never silently): size and registry shown first, progress with
// Cancel, the registry's sha512 integrity checked (model-runtime/gguf/backend-fetch.ts), then put where
// node-llama-cpp looks for it, beside the builds the VSIX carries. The worker picks it up on its next start.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { cudaPackage, DEFAULT_NPM_REGISTRY, fetchPackage, type PackageMeta, packageMeta } from '../../model-runtime/gguf/backend-fetch';
import { formatBytes } from '../hub/progress-text';
import type { Settings } from '../settings';

/** The node_modules holding node-llama-cpp: dist/node_modules in a VSIX, node_modules in a checkout. */
export function llamaModulesDir(extensionPath: string): string | undefined {
  return [join(extensionPath, 'dist', 'node_modules'), join(extensionPath, 'node_modules')].find((d) =>
    existsSync(join(d, 'node-llama-cpp', 'package.json')),
  );
}

export function registerCudaDownload(context: vscode.ExtensionContext, settings: Settings, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tokenscope.downloadLlamaCuda', async () => {
      try {
        await download(context.extensionPath, settings.value.gguf.npmRegistry || DEFAULT_NPM_REGISTRY, log);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        log.error(`cuda: ${why}`);
        void vscode.window.showErrorMessage(`Tokenscope: the CUDA backend was not installed: ${why}`);
      }
    }),
  );
}

async function download(extensionPath: string, registry: string, log: vscode.LogOutputChannel): Promise<void> {
  const name = cudaPackage();
  const modules = llamaModulesDir(extensionPath);
  if (!name) return void vscode.window.showInformationMessage('Tokenscope: llama.cpp has CUDA builds for Linux x64 and Windows x64 only.');
  if (!modules) throw new Error('node-llama-cpp is not installed with this extension');
  const dest = join(modules, '@node-llama-cpp', basename(name));
  if (existsSync(join(dest, 'package.json')))
    return void vscode.window.showInformationMessage(`Tokenscope: ${name} is already installed (${dest}).`);
  const version = (JSON.parse(readFileSync(join(modules, 'node-llama-cpp', 'package.json'), 'utf8')) as { version: string }).version;
  const meta = await packageMeta(registry, name, version);
  const size = meta.unpackedSize ? `${formatBytes(meta.unpackedSize)} unpacked` : 'size unknown';
  const go = await vscode.window.showInformationMessage(
    `Download ${name}@${version} (${size}) from ${registry}? llama.cpp then runs GGUF models on an NVIDIA GPU; it needs NVIDIA's driver and CUDA runtime on this machine.`,
    { modal: true },
    'Download',
  );
  if (go !== 'Download') return;
  log.info(`cuda: ${meta.tarball} -> ${dest}`);
  await withProgress(meta, dest);
  const pick = await vscode.window.showInformationMessage(
    `Tokenscope: ${name} installed. Restart the model worker to run GGUF models on CUDA.`,
    'Restart Worker',
  );
  if (pick) await vscode.commands.executeCommand('tokenscope.restartWorker');
}

function withProgress(meta: PackageMeta, dest: string): Thenable<void> {
  const title = `Downloading ${meta.name}`;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      let shown = 0;
      await fetchPackage(meta, dest, {
        signal: abort.signal,
        onProgress: (done, total) => {
          const pct = total ? (100 * done) / total : 0;
          if (pct - shown < 1 && done !== total) return;
          progress.report({ increment: pct - shown, message: `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''}` });
          shown = pct;
        },
      });
    },
  );
}
