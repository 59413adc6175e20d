// UI tests of the Tokenscope views in a real VS Code: the VS Code server from the code-server package
// (scripts/lib/vscode-server.mjs, installed under .tools/), the extension loaded from this folder as
// a development extension, driven from headless Chromium as a person would: command palette, clicks,
// keyboard. Uses the real model worker on the test model. Screenshots go to .artifacts/ui/.
// Run: npm run build && node dist-test/browser/webview-ui.js   (TOKENSCOPE_TEST_MODEL=<dir> to pick a model)
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Frame, Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');
// TOKENSCOPE_UI_THEME='Default Light Modern' or 'Default High Contrast' checks the other themes.
const THEME = process.env.TOKENSCOPE_UI_THEME || 'Default Dark Modern';
const OUT = join(ROOT, '.artifacts', 'ui', THEME.toLowerCase().replace(/\W+/g, '-'));

interface Harness {
  ensureVscodeServer(): void;
  freePort(): Promise<number>;
  startServer(o: {
    kind: 'server' | 'code-server';
    port: number;
    dataDir: string;
    quiet?: boolean;
    env?: Record<string, string>;
  }): Promise<{ url: string; stop(): void; pid: number }>;
  launchChromium(dir: string, o?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  testModelDir(): Promise<string>;
  copySamples(workspace: string): void;
  freshDir(d: string): string;
}

const results: { name: string; ok: boolean; detail?: string }[] = [];
function check(ok: boolean, name: string, detail?: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The webview document that contains `selector` (webviews are nested iframes). */
async function webviewFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  return until(
    `a webview with ${selector}`,
    async () => {
      for (const f of page.frames()) if (await f.$(selector).catch(() => null)) return f;
      return undefined;
    },
    timeoutMs,
  );
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  await until(`palette entry ${title}`, async () => (await page.$$('.quick-input-list .monaco-list-row')).length > 0, 15_000);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
}

async function stat(f: Frame, id: string): Promise<string> {
  return (await f.textContent(`#${id} .stat-value`)) ?? '';
}

async function main(): Promise<void> {
  const h = (await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'vscode-server.mjs')).href)) as Harness;
  h.ensureVscodeServer();
  const run = h.freshDir(join(ROOT, '.artifacts', 'ui-run'));
  h.freshDir(OUT);
  const workspace = join(run, 'workspace');
  h.copySamples(workspace);
  // A file several contexts long, for the heatmap's sliding window.
  const long = Array.from(
    { length: 60 },
    (_, i) =>
      `export function scale${i}(p: { x: number; y: number }, k = ${i + 2}): { x: number; y: number } {\n  return { x: p.x * k, y: p.y * k };\n}\n`,
  ).join('\n');
  writeFileSync(join(workspace, 'long.ts'), long + '\n// the end of a long file\nexport const last = scale59({ x: 1, y: 2 });\n');
  const modelDir = await h.testModelDir();
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'tokenscope.model.path': modelDir,
        'tokenscope.sampling.seed': 7,
        'tokenscope.completion.autoTrigger': false,
        'workbench.colorTheme': THEME,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );
  console.log(`model: ${modelDir}`);
  const port = await h.freePort();
  const server = await h.startServer({ kind: 'server', port, dataDir: join(run, 'server'), quiet: !process.env.TOKENSCOPE_VERBOSE });
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ROOT}`],
    ['skipWelcome', 'true'],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const context = await h.launchChromium(join(run, 'chromium'), { viewport: { width: 1500, height: 950 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
  try {
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    // The extension activates on startup; its status bar item says when the model is ready.
    await until(
      'the Tokenscope status bar item',
      async () => (await page.$$('.statusbar-item[id*="tokenscope" i], .statusbar-item[aria-label*="Tokenscope" i]')).length > 0,
      90_000,
    ).catch(() => undefined);

    // Room for the inspector: no secondary side bar, no explorer (the chat step reopens the side bar).
    if (await page.isVisible('.part.auxiliarybar')) await page.keyboard.press('Control+Alt+B');
    if (await page.isVisible('.part.sidebar')) await page.keyboard.press('Control+B');

    // ---- Inspector on a real generation
    await runCommand(page, 'Tokenscope: Open Inspector on a Prompt');
    // Wait for our input box itself, not the palette that is closing.
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Inspect a Prompt")', { state: 'visible' });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('def add(a, b):\n');
    await page.keyboard.press('Enter');
    const insp = await webviewFrame(page, '#chips');
    await until('generated token chips', async () => (await insp.$$('#chips .chip')).length >= 3, 120_000);
    await until('the generation to finish', async () => !/generating/.test(await stat(insp, 'stat-stop')), 120_000);
    const chips = await insp.$$eval('#chips .chip', (els) => els.map((e) => e.textContent ?? ''));
    check(
      chips.length >= 3 && chips.every((c) => c.length > 0),
      'inspector shows non-blank token chips for a real generation',
      `${chips.length} chips: ${chips.slice(0, 8).join(' ')}`,
    );
    const ppl = Number(await stat(insp, 'stat-ppl'));
    check(Number.isFinite(ppl) && ppl >= 1, 'perplexity of the completion is shown', String(ppl));

    // Select the first token with the keyboard and read its distribution.
    await insp.focus('#chips');
    await page.keyboard.press('Home');
    await insp.waitForSelector('.alt.chosen');
    check((await insp.getAttribute('#chips', 'aria-activedescendant')) === 'chip-0', 'the keyboard selects a token chip');
    // A step where the model hesitated, so the settings visibly matter: the highest-entropy token
    // among the first 40 (the arrow keys walk there, as a keyboard user would).
    const entropies = await insp.$$eval('#chips .chip', (els) =>
      els.map((e) => Number(/entropy ([\d.]+)/.exec(e.getAttribute('title') ?? '')?.[1] ?? 0)),
    );
    const target = entropies.slice(0, 40).reduce((best, e, i, a) => (e > a[best] ? i : best), 0);
    for (let i = 0; i < target; i++) await page.keyboard.press('ArrowRight');
    await until(
      'the chosen chip to be selected',
      async () => (await insp.getAttribute('#chips', 'aria-activedescendant')) === `chip-${target}`,
      10_000,
    );
    const runsBefore = await stat(insp, 'stat-generate');
    const resBefore = Number(await stat(insp, 'stat-resample'));
    const distBefore = await insp.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
    await shot('inspector');

    // ---- Move the temperature slider: the distribution changes, no model run.
    await insp.focus('#ctl-temperature-range');
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    const distLocal = await insp.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
    check(distLocal !== distBefore, 'moving the temperature slider redraws the distribution at once');
    await insp.waitForSelector('#dist-source.src-exact', { timeout: 30_000 });
    const distExact = await insp.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
    check(distExact !== distBefore, 'the exact resample from the kept logits is shown');
    check((await stat(insp, 'stat-generate')) === runsBefore, 'no new model run for a control change', `model runs ${runsBefore}`);
    check(Number(await stat(insp, 'stat-resample')) > resBefore, 'the worker resampled the kept logits instead');
    await shot('inspector-temperature');

    // ---- Branch on an alternative
    const alt = (await insp.$('.alt:not(.chosen):not(.header):not(.removed)')) ?? (await insp.$('.alt:not(.chosen):not(.header)'));
    if (!alt) throw new Error('no alternative to branch on');
    const altText = await alt.$eval('.tok', (e) => e.textContent);
    await alt.click();
    await until('a second generation in the branch tree', async () => (await insp.$$('.tree-item')).length >= 2, 120_000);
    await until('the branch to finish', async () => !/generating/.test(await stat(insp, 'stat-stop')), 120_000);
    const forced = await insp.$$eval('#chips .chip.forced', (e) => e.map((x) => x.textContent));
    check(
      forced.length === 1 && forced[0] === altText,
      'branching forces the chosen alternative',
      `forced ${JSON.stringify(forced)} vs ${JSON.stringify(altText)}`,
    );
    check(Number(await stat(insp, 'stat-generate')) === Number(runsBefore) + 1, 'the branch is one new model run');
    const branchChips = await insp.$$eval('#chips .chip', (els) => els.length);
    check(branchChips >= 1, 'the branch has its own continuation', `${branchChips} tokens`);
    await insp.click('.tree-item >> nth=0').catch(() => undefined);
    const cmp = await insp.$('button[aria-label^="Compare generation"]');
    if (cmp) {
      await cmp.click();
      check(await insp.isVisible('#compare .compare-cols'), 'branches compare side by side');
    }
    await shot('inspector-branch');

    // ---- "Resample" generates again from the selected step
    const runsBeforeResample = Number(await stat(insp, 'stat-generate'));
    const treeBeforeResample = (await insp.$$('.tree-item')).length;
    await insp.click('#chip-1');
    await insp.click('#resample-btn');
    await until('the resampled continuation', async () => (await insp.$$('.tree-item')).length > treeBeforeResample, 120_000);
    await until('the resample to finish', async () => !/generating/.test(await stat(insp, 'stat-stop')), 120_000);
    const labels = await insp.$$eval('.tree-item', (e) => e.map((x) => x.textContent ?? ''));
    check(
      labels.some((l) => /resample at step 1/.test(l)) && Number(await stat(insp, 'stat-generate')) === runsBeforeResample + 1,
      'Resample generates again from the selected step',
      labels.join(' | ').slice(0, 120),
    );

    // ---- Chat: send a message and watch the reply stream
    await page.click('.activitybar [aria-label^="Tokenscope"]').catch(() => runCommand(page, 'Tokenscope: Focus on Chat View'));
    const chat = await webviewFrame(page, '#chat-input', 60_000);
    await chat.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __seen: string[] }).__seen = seen;
      new MutationObserver(() => {
        const s = document.getElementById('streaming');
        if (s && seen[seen.length - 1] !== s.textContent) seen.push(s.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await chat.fill('#chat-input', 'Write a function that adds two numbers.');
    await chat.press('#chat-input', 'Enter');
    await until('a reply', async () => (await chat.$$('.msg.assistant:not(.pending)')).length >= 1, 120_000);
    const seen = await chat.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    const reply = await chat.textContent('.msg.assistant:not(.pending) .body');
    check(seen.length >= 2, 'the reply streamed in pieces', `${seen.length} partial states`);
    check(!!reply, 'the reply is shown', JSON.stringify((reply ?? '').slice(0, 60)));
    await shot('chat');

    // ---- Regenerate replaces the reply; Stop ends a reply early
    const fullReply = reply ?? '';
    await chat.evaluate(() => ((window as unknown as { __seen: string[] }).__seen.length = 0));
    await chat.click('#regenerate');
    await until('the regenerated reply to start streaming', async () => (await chat.$('#streaming')) !== null, 60_000);
    await until(
      'a few streamed tokens',
      async () => ((await chat.textContent('#streaming').catch(() => '')) ?? '').length > 8,
      60_000,
    ).catch(() => undefined);
    await chat.click('#stop');
    await until('the stopped reply', async () => !(await chat.$('#streaming')) && !(await chat.isDisabled('#send')), 60_000);
    const replies = await chat.$$eval('.msg.assistant .body', (e) => e.map((x) => x.textContent ?? ''));
    check(replies.length === 1, 'regenerate replaces the last reply instead of adding one', `${replies.length} replies`);
    // A sampled regeneration can be longer or shorter than the first reply: the marker says the model was cut off.
    check(
      (await chat.$('.msg.assistant .stopped-note')) !== null,
      'stop ends the reply early, and the reply says so',
      `${replies[0].length} characters (first reply ${fullReply.length})`,
    );

    // ---- Any reply opens in the inspector
    const treeBefore = (await insp.$$('.tree-item')).length;
    await chat.click('.msg.assistant:not(.pending) .inspect');
    await until('the reply in the inspector', async () => (await insp.$$('.tree-item')).length > treeBefore, 30_000).then(
      async () => check((await insp.$$('#chips .chip')).length > 0, 'a chat reply opens in the inspector with its tokens'),
      () => check(false, 'a chat reply opens in the inspector with its tokens'),
    );

    // ---- Heatmap on a file
    // Through the explorer: keyboard shortcuts would go to the focused webview.
    await page.click('.activitybar [aria-label^="Explorer"]');
    await page.click('.explorer-folders-view .monaco-list-row:has-text("sample.ts")');
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
    await page.click('.monaco-editor .view-lines');
    const before = await page.$$eval('.monaco-editor [class*="ced-"]', (e) => e.length);
    await runCommand(page, 'Tokenscope: Colour by Surprise (Rank)');
    const after = await until(
      'surprise decorations',
      async () => {
        const n = await page.$$eval('.monaco-editor [class*="ced-"]', (e) => e.length);
        return n > before ? n : undefined;
      },
      120_000,
    );
    check(after > before, 'the heatmap colours the file', `${after - before} decorated spans`);
    const deco = await page.$('.monaco-editor .view-overlays [class*="ced-"], .monaco-editor [class*="ced-"]');
    const box = await deco?.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = await until(
        'the heatmap hover',
        async () => {
          const t = await page.$eval('.monaco-hover', (e) => e.textContent).catch(() => '');
          return t?.includes('Tokenscope') ? t : undefined;
        },
        20_000,
      ).catch(() => '');
      check(!!hover, 'hovering a coloured token shows its alternatives', hover.slice(0, 80));
    }
    await shot('heatmap');

    // ---- A file longer than the context: windows slide to its end
    await page.click('.explorer-folders-view .monaco-list-row:has-text("long.ts")');
    await until('long.ts in the editor', async () => (await page.textContent('.tab.active').catch(() => ''))?.includes('long.ts'), 30_000);
    await page.click('.monaco-editor .view-lines');
    await runCommand(page, 'Tokenscope: Colour by Surprise (Probability)');
    await until(
      'the status message',
      async () => /coloured \d+ tokens/.test((await page.textContent('.statusbar').catch(() => '')) ?? ''),
      180_000,
    );
    const status = (await page.textContent('.statusbar')) ?? '';
    const coloured = Number(/coloured (\d+) tokens/.exec(status)?.[1] ?? 0);
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await page.waitForTimeout(500);
    const atEnd = await page.$$eval('.monaco-editor [class*="ced-"]', (e) => e.length);
    check(
      coloured > 1024 && atEnd > 0,
      'a file longer than the context is coloured to its end',
      `${coloured} tokens, ${atEnd} spans visible at the end`,
    );
    await shot('heatmap-long');
    await runCommand(page, 'Tokenscope: Clear Surprise Colours');
    await until(
      'the colours to clear',
      async () => (await page.$$eval('.monaco-editor [class*="ced-"]', (e) => e.length)) <= before,
      20_000,
    ).then(
      () => check(true, 'clear removes the colours'),
      () => check(false, 'clear removes the colours'),
    );

    // ---- Tokenizer view follows the selection
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    await runCommand(page, 'Tokenscope: Show Tokenizer');
    const tok = await webviewFrame(page, '#pieces', 30_000);
    const piecesFor = (prefix: string) =>
      until(
        `token pieces starting with ${prefix}`,
        async () => {
          const p = await tok.$$eval('.piece', (e) => e.map((x) => x.firstChild?.textContent ?? ''));
          return p.length && p.join('').replace(/·/g, ' ').startsWith(prefix) ? p : undefined;
        },
        30_000,
      ).catch(() => [] as string[]);
    const pieces = await piecesFor('export function scale0(');
    check(pieces.length > 0, 'the tokenizer view splits the selected line', pieces.slice(0, 8).join('|'));
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+End');
    const next = await piecesFor('  return { x: p.x * k');
    check(next.length > 0, 'the tokenizer view follows the selection', next.slice(0, 8).join('|'));
    await shot('tokenizer');
  } catch (e) {
    check(false, 'UI run', e instanceof Error ? e.message : String(e));
    await shot('failure').catch(() => undefined);
  } finally {
    await context.close().catch(() => undefined);
    server.stop();
  }
  const failed = results.filter((r) => !r.ok);
  // TOKENSCOPE_UPDATE_SCREENSHOTS=1 refreshes the README's screenshots from a passing run.
  if (!failed.length && process.env.TOKENSCOPE_UPDATE_SCREENSHOTS) {
    const dest = join(ROOT, 'media', 'screenshots');
    mkdirSync(dest, { recursive: true });
    for (const n of ['inspector', 'inspector-branch', 'chat', 'heatmap', 'tokenizer'])
      if (existsSync(join(OUT, `${n}.png`))) copyFileSync(join(OUT, `${n}.png`), join(dest, `${n}.png`));
    console.log(`screenshots copied to ${dest}`);
  }
  console.log(`${results.length - failed.length}/${results.length} checks passed; screenshots in ${OUT}`);
  process.exit(failed.length ? 1 : 0);
}

void main();
