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

/** Whether the element lies wholly inside its webview's viewport: seen without scrolling. */
async function inView(f: Frame, selector: string): Promise<boolean> {
  return f.evaluate((sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return !!r && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight + 1 && r.left >= 0 && r.right <= innerWidth + 1;
  }, selector);
}

/** The focused element's focus key (or id) inside a webview; '' when the focus fell to the body. */
async function focused(f: Frame): Promise<string> {
  return f.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    return !a || a === document.body ? '' : (a.dataset.focusKey ?? a.id);
  });
}

/** The ghost text shown in the editor now ('' if none). */
async function ghostText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const inline = Array.from(document.querySelectorAll('.ghost-text-decoration'))
      .map((e) => e.textContent ?? '')
      .join('');
    const lines = Array.from(document.querySelectorAll('.ghost-text .view-line')).map((e) => e.textContent ?? '');
    return (inline + (lines.length ? '\n' + lines.join('\n') : '')).replace(/\u00a0/g, ' ');
  });
}

/** Text with the chips' glyphs for spaces, tabs and newlines, collapsed: what two renderings share. */
const plain = (t: string) => t.replace(/[·↵→\s]+/g, ' ').trim();

function writeSettings(workspace: string, modelDir: string, autoTrigger: boolean): void {
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'tokenscope.model.path': modelDir,
        'tokenscope.sampling.seed': 7,
        'tokenscope.completion.autoTrigger': autoTrigger,
        'workbench.colorTheme': THEME,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );
}

/**
 * Ghost text accepted with Tab, then "Explain This Completion": the inspector shows the accepted completion,
 * not the follow-up VS Code asks for right after the acceptance (automatic completions are on for this).
 */
async function explainAccepted(page: Page): Promise<Frame> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('sample.ts');
  // A fresh workspace indexes its files first: press Enter on the result, not on an empty list.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.ts' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
  await page.click('.monaco-editor .view-lines');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('export function multiply(a: number, b: number): number {', { delay: 20 });
  await page.keyboard.press('Enter');
  let ghost = '';
  for (let i = 0; i < 120 && !plain(ghost); i++) {
    await page.waitForTimeout(500);
    ghost = await ghostText(page);
    if (i === 30 && !plain(ghost)) await runCommand(page, 'Tokenscope: Complete Here');
  }
  if (!plain(ghost)) throw new Error('no ghost text to accept');
  await page.keyboard.press('Tab');
  // VS Code asks again at the end of the accepted text: let that follow-up arrive.
  await until('the follow-up completion', async () => plain(await ghostText(page)), 15_000).catch(() => undefined);
  await runCommand(page, 'Tokenscope: Explain This Completion');
  const insp = await webviewFrame(page, '#chips');
  await until('the explained tokens', async () => (await insp.$$('#chips .chip')).length > 0, 30_000);
  const chips = await insp.$$eval('#chips .chip', (els) => els.map((e) => e.textContent ?? '').join(''));
  const want = plain(ghost).slice(0, 24);
  check(
    plain(chips).startsWith(want),
    'Explain shows the completion accepted with Tab, not the follow-up',
    `${JSON.stringify(want)} vs ${JSON.stringify(plain(chips).slice(0, 40))}`,
  );
  return insp;
}

/** Switches to Dark High Contrast from the palette and checks that the inspector webview follows, with every state marked. */
async function highContrast(page: Page, shot: (name: string) => Promise<unknown>): Promise<void> {
  await page.keyboard.press('Escape');
  // The palette ranks "Browse Color Themes in Marketplace" first for this text: pick the entry by its name.
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Color Theme', hasNotText: 'Marketplace' }).first().click();
  // The theme list replaces the palette (virtualised: the high-contrast rows show once filtered).
  await page.waitForSelector(
    '.quick-input-widget .quick-input-title:has-text("Theme"), .quick-input-widget input[placeholder*="Theme" i]',
    {
      timeout: 15_000,
    },
  );
  await page.keyboard.type('Dark High Contrast');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Dark High Contrast' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await until('the workbench in high contrast', async () => page.$('.monaco-workbench.hc-black'), 20_000);
  await page.click('.tab:has-text("Tokenscope Inspector")');
  const insp = await webviewFrame(page, '#chips');
  const look = await until(
    'the inspector in high contrast',
    async () => {
      const l = await insp.evaluate(() => ({
        hc: document.body.classList.contains('vscode-high-contrast'),
        bg: getComputedStyle(document.body).backgroundColor,
        pressed: getComputedStyle(document.querySelector('.seg-btn[aria-pressed=true]')!, '::before').content,
        borders: [...new Set(Array.from(document.querySelectorAll('#chips .chip')).map((c) => getComputedStyle(c).borderTopStyle))],
      }));
      return l.hc ? l : undefined;
    },
    20_000,
  ).catch(() => undefined);
  check(!!look && look.bg === 'rgb(0, 0, 0)', 'the inspector webview renders the high-contrast theme', JSON.stringify(look));
  check(
    !!look && look.pressed.includes('✓') && look.borders.length > 1,
    'high contrast: states shown by border style and a check, not colour alone',
  );
  await insp.focus('#chips');
  await page.keyboard.press('End');
  await shot('inspector-hc');
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
  writeSettings(workspace, modelDir, true);
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

    // ---- Explain This Completion after Tab; then automatic completions off for the rest.
    await explainAccepted(page);
    writeSettings(workspace, modelDir, false);

    // ---- Inspector on a real generation, beside the editor (the default split, about 720 px wide)
    await page.click('.monaco-editor .view-lines');
    await runCommand(page, 'Tokenscope: Open Inspector on a Prompt');
    // Wait for our input box itself, not the palette that is closing.
    await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("Inspect a Prompt")', { state: 'visible' });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('def add(a, b):\n');
    await page.keyboard.press('Enter');
    const insp = await webviewFrame(page, '#chips');
    // The explained completion is shown until the prompt's first token arrives: wait for the prompt's own generation.
    await until(
      "the prompt's generation shown",
      async () => /def add/.test((await insp.textContent('.tree-item.current').catch(() => '')) ?? ''),
      120_000,
    );
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
    const width = await insp.evaluate(() => innerWidth);
    const inSight = [await inView(insp, '#detail-head'), await inView(insp, '.alt.chosen'), await inView(insp, '#ctl-temperature-range')];
    check(
      inSight.every(Boolean),
      `at ${width} px the selected step's detail, its chosen row and the controls are in view together`,
      String(inSight),
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
    const note = (await insp.textContent('#change-note').catch(() => '')) ?? '';
    check(
      /Temperature [\d.]+ → [\d.]+/.test(note) && /→ [\d.]+% now/.test((await insp.textContent('#head-now').catch(() => '')) ?? ''),
      'a control change shows before and after for the step',
      note.slice(0, 120),
    );
    check(
      (await inView(insp, '.alt.chosen')) && (await inView(insp, '#ctl-temperature-range')),
      'the alternatives stay in view while the slider moves',
    );
    await shot('inspector-temperature');

    // ---- Keyboard: one Tab stop per list, focus kept on Enter
    await insp.focus('#chips');
    await page.keyboard.press('Tab');
    const inTree = await focused(insp);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    check(
      inTree.startsWith('gen-') && (await focused(insp)) === inTree,
      'Tab from the tokens reaches the branch tree; Enter keeps the focus',
      inTree,
    );
    await page.keyboard.press('Tab');
    const inAlts = await focused(insp);
    await page.keyboard.press('ArrowDown');
    const nextAlt = await focused(insp);
    await page.keyboard.press('Tab');
    check(
      inAlts.startsWith('alt-') && nextAlt.startsWith('alt-') && nextAlt !== inAlts && !(await focused(insp)).startsWith('alt-'),
      'the alternatives are one Tab stop with the arrow keys inside',
      `${inAlts} ${nextAlt}`,
    );

    // ---- Branch on an alternative
    const rootId = await insp.getAttribute('.tree-item.current', 'data-gen');
    const alt = (await insp.$('.alt:not(.chosen):not(.header):not(.removed)')) ?? (await insp.$('.alt:not(.chosen):not(.header)'));
    if (!alt) throw new Error('no alternative to branch on');
    // By id, not by handle: a late message may redraw the list between the query and the click.
    const altId = await alt.getAttribute('data-token-id');
    const altText = await alt.$eval('.tok', (e) => e.textContent);
    const treeBeforeBranch = (await insp.$$('.tree-item')).length;
    await insp.click(`.alt[data-token-id="${altId}"]`);
    await until('the branch in the branch tree', async () => (await insp.$$('.tree-item')).length > treeBeforeBranch, 120_000);
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
    // The branch is shown; compare it with the generation it branched from.
    const cmpSel = `button.cmp-btn[data-gen="${rootId}"]`;
    if (await insp.$(cmpSel)) {
      await insp.click(cmpSel);
      check(
        (await insp.isVisible('#compare .compare-cols')) && (await inView(insp, '#compare-title')),
        'branches compare side by side, in view',
      );
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
    await insp.click('#chip-1');
    const how = (await insp.textContent('#step-how')) ?? '';
    check(
      /^resampled: drawn again at/.test(how) && !(await insp.$('#chip-1.forced')) && (await insp.$$('svg.cdf .draw')).length === 1,
      'the resampled step shows its new draw and distribution, not a forced token',
      how,
    );

    // ---- "X-ray this step": the X-ray panel opens on the selected token's context
    await insp.click('#chip-1');
    await insp.click('#xray-btn');
    const stepXray = await webviewFrame(page, '.xray .lens', 120_000);
    const said = (await stepXray.textContent('p.muted')) ?? '';
    check(/after step 2 \(/.test(said), 'X-ray this step opens the X-ray of the selected token', said.slice(0, 80));

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
    const chatHeight = await chat.evaluate(() => innerHeight);
    check(chatHeight > 400, 'the chat has the side bar to itself while the tokenizer is collapsed', `${chatHeight} px`);
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
    // Idle again: Stop disabled (Send stays disabled while the message box is empty).
    await until('the stopped reply', async () => !(await chat.$('#streaming')) && (await chat.isDisabled('#stop')), 60_000);
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
    // One editor group again (the inspector stays open as a tab).
    await runCommand(page, 'View: Single Column Editor Layout');
    await page.waitForTimeout(500);
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
      // The hover renders in parts: wait for its last line, the colour key (any of the workbench's hover widgets).
      const hoverEl = page.locator('.monaco-hover', { hasText: 'Colours by' }).first();
      const hover = await hoverEl
        .waitFor({ state: 'attached', timeout: 30_000 })
        // appendText turns spaces into no-break spaces: compare words, not the raw characters.
        .then(async () => ((await hoverEl.textContent()) ?? '').replace(/\s+/g, ' '))
        .catch(() => '');
      check(
        !!hover && /Colours by rank/.test(hover),
        'hovering a coloured token shows its alternatives and the colour key',
        hover.slice(0, 80),
      );
    }
    await shot('heatmap');

    // ---- An edit clears the colours and says so; they come back once typing pauses
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// edited', { delay: 30 });
    const cleared = await until(
      'the colours to clear',
      async () => /cleared by the edit/.test((await page.textContent('.statusbar').catch(() => '')) ?? ''),
      10_000,
    ).catch(() => false);
    const back = await until(
      'the colours to come back',
      async () => {
        const bar = (await page.textContent('.statusbar').catch(() => '')) ?? '';
        const n = await page.$$eval('.monaco-editor [class*="ced-"]', (e) => e.length);
        return /re-coloured \d+ tokens/.test(bar) && n > before ? n : undefined;
      },
      120_000,
    ).catch(() => 0);
    check(!!cleared && back > before, 'after an edit the heatmap says it cleared, then re-colours by itself', `${back - before} spans`);

    // ---- A file longer than the context: windows slide to its end
    await page.click('.explorer-folders-view .monaco-list-row:has-text("long.ts")');
    await until('long.ts in the editor', async () => (await page.textContent('.tab.active').catch(() => ''))?.includes('long.ts'), 30_000);
    await page.click('.monaco-editor .view-lines');
    await runCommand(page, 'Tokenscope: Colour by Surprise (Probability)');
    await until(
      'the status message',
      async () => /Tokenscope: coloured \d+ tokens/.test((await page.textContent('.statusbar').catch(() => '')) ?? ''),
      180_000,
    );
    const status = (await page.textContent('.statusbar')) ?? '';
    const coloured = Number(/Tokenscope: coloured (\d+) tokens/.exec(status)?.[1] ?? 0);
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
    // The chat view was hidden behind the explorer (its webview is made again when shown).
    await webviewFrame(page, '#chat-input', 30_000)
      .then((c) => c.evaluate(() => document.getElementById('messages')!.getBoundingClientRect().height / innerHeight))
      .then(
        (share) =>
          check(share >= 0.5, 'with the tokenizer open the conversation keeps most of the chat view', `${(share * 100).toFixed(0)}%`),
        (e) => check(false, 'with the tokenizer open the conversation keeps most of the chat view', String(e)),
      );

    // ---- Model anatomy and the X-ray at the cursor (the editor keeps its place)
    await runCommand(page, 'Tokenscope: Show Model Anatomy');
    const anatomy = await webviewFrame(page, '.anatomy .parts', 60_000);
    const groups = await anatomy.$$eval('.parts td:first-child', (e) => e.map((x) => x.textContent ?? ''));
    check(groups.includes('attention') && groups.includes('mlp'), 'the anatomy lists the parts', groups.join(', '));
    check((await anatomy.textContent('.block-repeat'))?.includes('×') ?? false, 'the anatomy draws the repeated block');
    await shot('anatomy');
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await runCommand(page, 'Tokenscope: X-ray at Cursor');
    const xray = await webviewFrame(page, '.xray .lens', 120_000);
    const rows = await xray.$$eval('.lens tr', (e) => e.length);
    check(rows > 2, 'the X-ray shows a lens row per layer', `${rows - 1} rows`);
    const shaded = await xray.$$eval('.att', (e) => e.length);
    check(shaded > 0, 'the X-ray shades the context by attention', `${shaded} tokens`);
    await xray.click('.pick button:first-child');
    check((await xray.getAttribute('.pick button:first-child', 'aria-pressed')) === 'true', 'a layer button shows it is pressed');
    await shot('xray');
  } catch (e) {
    check(false, 'UI run', e instanceof Error ? e.message : String(e));
    await shot('failure').catch(() => undefined);
  }
  try {
    // ---- High contrast, chosen as a person does (the web client keeps user settings in the browser)
    await highContrast(page, shot);
  } catch (e) {
    check(false, 'high contrast', e instanceof Error ? e.message : String(e));
    await shot('failure-hc').catch(() => undefined);
  }
  try {
    // ---- A window reload brings the inspector back (its serializer), with the generations it showed
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    // The restored panel is a background tab: its webview loads when shown.
    await page
      .getByRole('tab', { name: /Tokenscope Inspector/ })
      .first()
      .click({ timeout: 60_000 });
    const restored = await webviewFrame(page, '#chips .chip', 120_000);
    check((await restored.$$('#chips .chip')).length > 0, 'after a window reload the inspector is back with its tokens');
  } catch (e) {
    check(false, 'after a window reload the inspector is back with its tokens', e instanceof Error ? e.message : String(e));
    await shot('failure-reload').catch(() => undefined);
  } finally {
    await context.close().catch(() => undefined);
    server.stop();
  }
  const failed = results.filter((r) => !r.ok);
  // TOKENSCOPE_UPDATE_SCREENSHOTS=1 refreshes the README's screenshots from a passing run.
  if (!failed.length && process.env.TOKENSCOPE_UPDATE_SCREENSHOTS) {
    const dest = join(ROOT, 'media', 'screenshots');
    mkdirSync(dest, { recursive: true });
    for (const n of ['inspector', 'inspector-branch', 'chat', 'heatmap', 'tokenizer', 'inspector-hc', 'anatomy', 'xray'])
      if (existsSync(join(OUT, `${n}.png`))) copyFileSync(join(OUT, `${n}.png`), join(dest, `${n}.png`));
    console.log(`screenshots copied to ${dest}`);
  }
  console.log(`${results.length - failed.length}/${results.length} checks passed; screenshots in ${OUT}`);
  process.exit(failed.length ? 1 : 0);
}

void main();
