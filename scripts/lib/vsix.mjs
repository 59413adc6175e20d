// What goes into the VSIX (scripts/package.mjs copies it into a staging folder and runs vsce there), and the
// README the extension's details page shows. Pure functions over the repository, so a unit test can check the
// file list without packaging.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

/**
 * The bundles the extension runs: the host, the worker, the webviews (with their icon font). The bench, eval and
 * GPU-check bundles in dist/ (about 23 MB) and every source map stay out.
 */
export function shipsInDist(rel) {
  const p = rel.split(sep).join('/');
  if (p.endsWith('.map')) return false;
  return p === 'extension.js' || p === 'worker.js' || p.startsWith('webview/');
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Every file of the VSIX for `target` ('linux-x64', ...), as { from, to } with `to` relative to the extension
 * root. `modelDir`: the default model to bundle (media/models/<name>/), or undefined for none.
 */
export function vsixEntries({ root, target, modelDir, llamaBinaries }) {
  const [platform, arch] = target.split('-');
  const entries = [];
  const add = (from, to) => entries.push({ from, to: to.split(sep).join('/') });
  const dist = join(root, 'dist');
  for (const f of walk(dist)) if (shipsInDist(relative(dist, f))) add(f, join('dist', relative(dist, f)));
  // Media: icons and CSS, and of the models only the default one. The README's screenshots are not shown from
  // inside a VSIX (see readmeForVsix), so they stay out too.
  const media = join(root, 'media');
  for (const f of walk(media)) {
    const rel = relative(media, f).split(sep);
    if (rel[0] !== 'models' && rel[0] !== 'screenshots') add(f, join('media', ...rel));
  }
  if (modelDir) {
    const name = basename(modelDir);
    for (const f of walk(modelDir)) if (!/\.(py|pt|ckpt|log)$/.test(f)) add(f, join('media', 'models', name, relative(modelDir, f)));
  }
  // onnxruntime-node with only this platform's native binaries, and onnxruntime-common, where dist/worker.js
  // looks for them (dist/node_modules).
  const ort = join(root, 'node_modules', 'onnxruntime-node');
  const nm = join('dist', 'node_modules');
  for (const f of ['package.json', 'LICENSE', 'README.md'])
    if (existsSync(join(ort, f))) add(join(ort, f), join(nm, 'onnxruntime-node', f));
  for (const f of walk(join(ort, 'dist')))
    if (!f.endsWith('.map') && !f.endsWith('.ts')) add(f, join(nm, 'onnxruntime-node', relative(ort, f)));
  const bin = join(ort, 'bin', 'napi-v6', platform, arch);
  for (const f of walk(bin)) add(f, join(nm, 'onnxruntime-node', relative(ort, f)));
  const common = join(root, 'node_modules', 'onnxruntime-common');
  for (const f of walk(common)) {
    const rel = relative(common, f);
    if (!f.endsWith('.map') && !f.endsWith('.ts') && rel.split(sep)[0] !== 'lib') add(f, join(nm, 'onnxruntime-common', rel));
  }
  for (const e of nodeLlamaCppEntries(root, target, llamaBinaries)) add(e.from, e.to);
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE']) if (existsSync(join(root, f))) add(join(root, f), f);
  return { entries, hasNativeBinaries: walk(bin).length > 0 };
}

/**
 * llama.cpp's prebuilt packages each VSIX carries: the CPU build and the GPU builds that fit (Vulkan about 24 MB
 * packed, Metal). CUDA (about 140 MB packed) does not: Tokenscope fetches it from the npm registry on request.
 */
export const LLAMA_BINARIES = {
  'linux-x64': ['linux-x64', 'linux-x64-vulkan'],
  'linux-arm64': ['linux-arm64'],
  'darwin-x64': ['mac-x64'],
  'darwin-arm64': ['mac-arm64-metal'],
  'win32-x64': ['win-x64', 'win-x64-vulkan'],
  'win32-arm64': ['win-arm64'],
};

const SKIP = /\.(map|ts|md)$/;

/**
 * node-llama-cpp (its JS, not the llama.cpp sources it builds from), the packages it imports (the closure of its
 * dependencies in package-lock.json, where npm put them), and `target`'s llama.cpp binaries, under dist/node_modules
 * where the worker imports them. `binaries`: the folder holding the binary packages (npm installs only this
 * machine's; scripts/package.mjs fetches another platform's with `npm pack`).
 */
export function nodeLlamaCppEntries(root, target, binaries = join(root, 'node_modules', '@node-llama-cpp')) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const entries = [];
  const nm = join('dist', 'node_modules');
  const pkgFiles = (dir, to, keep = () => true) => {
    for (const f of walk(dir)) {
      const rel = relative(dir, f);
      if (!SKIP.test(f) && keep(rel.split(sep))) entries.push({ from: f, to: join(nm, to, rel).split(sep).join('/') });
    }
  };
  const seen = new Set();
  const visit = (at) => {
    if (seen.has(at)) return;
    seen.add(at);
    for (const dep of Object.keys(lock[at].dependencies ?? {})) {
      const found = lockLocation(lock, at, dep);
      if (found) visit(found);
    }
  };
  visit('node_modules/node-llama-cpp');
  for (const at of seen) {
    const to = at.replace(/^node_modules\//, '');
    // Of llama/ (the llama.cpp sources, 35 MB) only the release facts the loader reads.
    // Nested node_modules are packages of the closure in their own right (visited above).
    pkgFiles(
      join(root, at),
      to,
      (parts) => parts[0] !== 'node_modules' && (parts[0] !== 'llama' || (parts.length === 2 && parts[1].endsWith('.json'))),
    );
  }
  for (const b of LLAMA_BINARIES[target] ?? []) pkgFiles(join(binaries, b), join('@node-llama-cpp', b));
  return entries;
}

/** Where npm resolves `dep` required from the package at `from` (a package-lock "packages" key). */
function lockLocation(lock, from, dep) {
  for (let dir = from; ; ) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${dep}`;
    if (lock[candidate]) return candidate;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

const RELATIVE = (link) => !/^[a-z][a-z0-9+.-]*:/i.test(link) && !link.startsWith('#');

/**
 * The README as the VSIX carries it. VS Code's details page (1.139) renders it in a webview whose sanitizer keeps
 * only http(s) image sources and whose CSP allows only https: and data: images, so an image packaged in the
 * VSIX never shows. With `imagesUrl` (an https folder serving the repository's files) vsce rewrites relative
 * images to it (see vsceReadmeArgs). Without one, each relative image becomes its caption and each relative
 * link its text and path, so the page shows no broken images or dead links.
 */
export function readmeForVsix(markdown, { imagesUrl } = {}) {
  if (imagesUrl) return markdown;
  const source = (text, link) => (text === link ? `\`${link}\` (in the source)` : `${text} (in the source: \`${link}\`)`);
  return markdown
    .replace(/!\[([^\][\n]*)\]\(([^)\s]+)\)/g, (all, alt, link) => (RELATIVE(link) ? `*Screenshot: ${alt}*` : all))
    .replace(/(?<!!)\[([^\][\n]+)\]\(([^)\s]+)\)/g, (all, text, link) => (RELATIVE(link) ? source(text, link) : all));
}

/** vsce's README options: rewrite relative images to `imagesUrl` (https only), else leave the prepared README alone. */
export function vsceReadmeArgs({ imagesUrl }) {
  if (!imagesUrl) return ['--no-rewrite-relative-links'];
  if (!/^https:\/\//.test(imagesUrl))
    throw new Error(`--images-url must be an https URL (VS Code shows README images from https only): ${imagesUrl}`);
  const base = imagesUrl.endsWith('/') ? imagesUrl : `${imagesUrl}/`;
  return ['--baseImagesUrl', base, '--baseContentUrl', base];
}
