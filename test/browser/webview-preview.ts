// Renders each webview bundle in a plain headless Chromium page with sample data and a fake
// acquireVsCodeApi, checks a few things a person would see, and saves screenshots under
// .artifacts/preview/. Run: npm run build && node dist-test/browser/webview-preview.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { sampleSteps, SAMPLING } from './webview-fixtures';

const root = resolve(__dirname, '../..');
const out = resolve(root, '.artifacts/preview');
mkdirSync(out, { recursive: true });

const DARK = `--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-descriptionForeground:#9d9d9d;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-editor-font-size:13px;--vscode-button-background:#0078d4;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#313131;--vscode-button-secondaryForeground:#ccc;--vscode-input-background:#313131;--vscode-input-foreground:#ccc;--vscode-focusBorder:#0078d4;--vscode-panel-border:#2b2b2b;--vscode-charts-green:#89d185;--vscode-charts-yellow:#cca700;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-purple:#b180d7;--vscode-charts-blue:#3794ff;--vscode-list-hoverBackground:#2a2d2e;--vscode-list-activeSelectionBackground:#04395e;--vscode-list-inactiveSelectionBackground:#37373d;--vscode-badge-background:#616161;--vscode-badge-foreground:#f8f8f8;--vscode-errorForeground:#f85149;--vscode-textCodeBlock-background:#2b2b2b`;

function page(view: string, bodyClass = 'vscode-dark'): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${root}/dist/webview/codicon.css">
<link rel="stylesheet" href="file://${root}/media/webview.css">
<style>html{${DARK}}</style>
<script>window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:m=>window.__posted.push(m),getState:()=>undefined,setState:()=>{}});</script>
</head><body class="${bodyClass}"><script src="file://${root}/dist/webview/${view}.js"></script></body></html>`;
}

type Check = (ok: boolean, what: string) => void;
/** Set when any page opened a dialog: a script from token text ran. */
let alerted = false;
const posted = (p: Page) => p.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);

/** The inspector page with a root generation (23 tokens) and a branch of it at step 10. */
async function inspectorPage(browser: Browser, width: number, height = 900, bodyClass = 'vscode-dark'): Promise<Page> {
  const p = await browser.newPage({ viewport: { width, height } });
  p.on('dialog', (d) => {
    alerted = true;
    void d.dismiss();
  });
  const file = resolve(out, `inspector-${width}.html`);
  writeFileSync(file, page('inspector', bodyClass));
  await p.goto('file://' + file);
  const steps = sampleSteps();
  await p.evaluate(
    ({ steps, sampling }) => {
      const post = (m: unknown) => window.postMessage(m, '*');
      post({ type: 'init', sampling, defaults: sampling, modelName: 'sample', topN: 20 });
      post({
        type: 'generation',
        meta: { generationId: 1, prompt: '// add two numbers\n', sampling, origin: 'prompt' },
        steps,
        done: true,
        select: true,
      });
      post({ type: 'generation-done', generationId: 1, stopReason: 'eos' });
      post({
        type: 'generation',
        meta: {
          generationId: 2,
          prompt: '// add two numbers\n',
          sampling,
          origin: 'branch',
          parent: { generationId: 1, position: 10 },
          forcedText: ' sum',
        },
        steps: steps.slice(10, 16).map((s, i) => ({ ...s, position: 10 + i, forced: i === 0 })),
        done: true,
      });
      post({ type: 'counters', generate: 2, resample: 0 });
    },
    { steps, sampling: SAMPLING },
  );
  await p.waitForSelector('.chip[data-index="0"]');
  return p;
}

/** True when the element is entirely inside the viewport (what a person sees without scrolling). */
async function inView(p: Page, selector: string): Promise<boolean> {
  const box = await p.locator(selector).first().boundingBox();
  const vp = p.viewportSize()!;
  return !!box && box.y >= 0 && box.y + box.height <= vp.height + 1 && box.x >= 0 && box.x + box.width <= vp.width + 1;
}

async function inspectorBasics(browser: Browser, check: Check): Promise<void> {
  const p = await inspectorPage(browser, 1200);
  const steps = sampleSteps();
  const chipTexts = await p.$$eval('#chips .chip', (els) => els.map((e) => e.textContent));
  check(chipTexts.length === steps.length, `${steps.length} chips rendered (got ${chipTexts.length})`);
  check(chipTexts.includes('↵') && chipTexts.includes('··'), 'newline and double-space chips are visible glyphs');
  check(chipTexts.includes('<0xC3>'), 'partial UTF-8 byte token shown as <0xC3>');
  check(
    chipTexts.includes('<img·src=x·onerror=alert(1)>') && (await p.$$('#chips img')).length === 0,
    'hostile token renders as text, no <img> element',
  );
  await p.click('#chip-10');
  await p.waitForSelector('.alt.chosen');
  const head = (await p.textContent('#detail-head')) ?? '';
  check(/raw p [\d.]+%/.test(head) && /final p [\d.]+%/.test(head), `the step header labels raw and final (${head})`);
  check((await p.textContent('#step-how'))?.startsWith('sampled: draw') === true, 'the header says how the token was chosen');
  check(await p.isDisabled('#stop'), 'Stop is disabled while nothing generates');
  const before = await p.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
  await p.screenshot({ path: resolve(out, 'inspector-probability.png') });
  await p.fill('#ctl-temperature', '1.8');
  await p.dispatchEvent('#ctl-temperature', 'change');
  const after = await p.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
  check(before !== after, 'temperature change redraws the distribution');
  const note = (await p.textContent('#change-note')) ?? '';
  check(
    /Temperature 0\.8 → 1\.8/.test(note) && /Final p of .*: [\d.]+% → [\d.]+%/.test(note),
    `a control change says before and after (${note})`,
  );
  check(/→ [\d.]+% now/.test((await p.textContent('#head-now')) ?? ''), 'the header shows the final p now next to the one as generated');
  check((await p.$$('.alts.changed .alt .num.was')).length > 3, 'the alternatives show final p then and now');
  check((await p.$$('svg.cdf .draw')).length === 1, 'the draw stays on the chart after a control change');
  const types = (await posted(p)).map((m) => m.type);
  check(types.includes('resample-step') && !types.includes('generate'), 'temperature change asks for an exact resample and no generation');
  check(/on its way/.test((await p.textContent('#dist-source')) ?? ''), 'the estimate says the exact redraw is on its way');
  const req = (await posted(p)).find((m) => m.type === 'resample-step') as unknown as { requestId: number };
  await p.evaluate(
    (requestId) =>
      window.postMessage({ type: 'resample-failed', requestId, generationId: 1, reason: 'generation 1 is no longer kept' }, '*'),
    req.requestId,
  );
  await p.waitForFunction(() => /no exact redraw/.test(document.getElementById('dist-source')?.textContent ?? ''));
  check(await p.isHidden('#error'), 'a failed exact redraw is a note on the step, not a lasting error banner');
  await p.screenshot({ path: resolve(out, 'inspector-changed.png') });
  await p.fill('#ctl-temperature', '9');
  await p.dispatchEvent('#ctl-temperature', 'change');
  check(
    (await p.inputValue('#ctl-temperature')) === '5' && /outside 0–5: set to 5/.test((await p.textContent('#ctl-temperature-note')) ?? ''),
    'an out-of-range value is clamped to the table’s limit, visibly',
  );
  await p.click('#mode-rank');
  check(/Top-k 8 kept only/.test((await p.textContent('#legend')) ?? ''), 'rank colouring explains why top-k keeps ranks low');
  await p.screenshot({ path: resolve(out, 'inspector-rank.png') });
  const altTitle = (await p.getAttribute('.alt:not(.chosen):not(.header)', 'title')) ?? '';
  check(/model run/.test(altTitle), 'an alternative’s hover says a click runs the model');
  check(/after temperature/.test((await p.textContent('#ctl-minP-help')) ?? ''), 'min-p’s help says it applies after temperature');
  check(
    /Redraws \(no model run\)/.test((await p.textContent('#stat-resample')) ?? ''),
    'the redraw counter says it is not the Resample button',
  );
  await p.click('.alt:not(.chosen):not(.header)');
  check(
    (await posted(p)).some((m) => m.type === 'branch'),
    'clicking an alternative posts a branch request',
  );
  await p.click('[aria-label="Compare generation 2 side by side"]');
  check(await inView(p, '#compare'), 'the comparison opens in view');
  await p.screenshot({ path: resolve(out, 'inspector-compare.png') });
  await p.click('.tree-item[data-gen="2"]');
  check(await p.isHidden('#compare'), 'showing another generation closes the comparison instead of leaving it stale');
  await p.close();
}

/** The selected step's detail and the controls are in view with the tokens at every width people use. */
async function inspectorLayout(browser: Browser, check: Check): Promise<void> {
  for (const [w, hgt] of [
    [600, 900],
    [770, 900],
    [1500, 950],
  ]) {
    const p = await inspectorPage(browser, w, hgt);
    await p.click('#chip-22');
    await p.waitForSelector('.alt.chosen');
    const seen = [await inView(p, '#detail-head'), await inView(p, '.alt.chosen'), await inView(p, '#ctl-temperature-range')];
    check(
      seen.every(Boolean),
      `${w} px: clicking the last token shows its detail, chosen row and the temperature slider at once (${seen})`,
    );
    await p.focus('#ctl-temperature-range');
    for (let i = 0; i < 6; i++) await p.keyboard.press('ArrowRight');
    check(
      (await inView(p, '.alt.chosen')) && (await inView(p, '#ctl-temperature-range')) && (await inView(p, '#change-note')),
      `${w} px: while the slider moves, the alternatives and the before/after note stay in view`,
    );
    await p.screenshot({ path: resolve(out, `inspector-${w}.png`) });
    await p.close();
  }
}

async function inspectorKeyboard(browser: Browser, check: Check): Promise<void> {
  const p = await inspectorPage(browser, 1200);
  await p.focus('#chips');
  await p.keyboard.press('Home');
  const active = () =>
    p.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focusKey ?? document.activeElement?.id ?? '');
  await p.keyboard.press('Tab');
  check((await active()) === 'gen-1', 'one Tab from the tokens reaches the branch tree (the shown generation)');
  await p.keyboard.press('ArrowDown');
  check((await active()) === 'gen-2', 'the arrow keys move inside the tree');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.querySelector('.tree-item.current')?.getAttribute('data-gen') === '2');
  check((await active()) === 'gen-2', 'Enter on a tree item shows it and keeps the focus there');
  await p.keyboard.press('Tab');
  const first = await active();
  check(first.startsWith('alt-'), `the next Tab enters the alternatives (${first})`);
  await p.keyboard.press('ArrowDown');
  const second = await active();
  check(second.startsWith('alt-') && second !== first, 'the arrow keys move inside the alternatives');
  await p.keyboard.press('Tab');
  check(!(await active()).startsWith('alt-'), 'the alternatives are one Tab stop');
  const styles = await p.evaluate(() => {
    const chosen = document.querySelector('.alt.chosen') as HTMLElement;
    chosen.focus();
    const focused = getComputedStyle(chosen);
    return { outline: focused.outlineStyle, left: focused.borderLeftWidth };
  });
  check(styles.outline !== 'none' && styles.left === '4px', `the focus ring differs from the chosen mark (${JSON.stringify(styles)})`);
  await p.close();
}

async function inspectorHighContrast(browser: Browser, check: Check): Promise<void> {
  const p = await inspectorPage(browser, 1200, 900, 'vscode-high-contrast');
  const styles = await p.evaluate(() => {
    const style = (sel: string) => getComputedStyle(document.querySelector(sel)!);
    return {
      p0: style('#chips .p0, #legend .p0').borderTopStyle,
      p1: style('#legend .p1').borderTopStyle,
      p2: style('#legend .p2').borderTopStyle,
      p3: style('#legend .p3').borderTopStyle,
      pressed: getComputedStyle(document.querySelector('#mode-probability')!, '::before').content,
    };
  });
  check(
    new Set([styles.p0, styles.p1, styles.p2, styles.p3]).size === 4,
    `high contrast: probability buckets differ by border style (${JSON.stringify(styles)})`,
  );
  check(styles.pressed.includes('✓'), 'high contrast: the pressed colour mode is marked with a check');
  await p.screenshot({ path: resolve(out, 'inspector-hc.png') });
  await p.close();
}

/** A resample's first token arrives as a real draw (the host replaces the branch's forced step). */
async function inspectorResample(browser: Browser, check: Check): Promise<void> {
  const p = await inspectorPage(browser, 1200);
  const steps = sampleSteps();
  await p.evaluate(
    ({ steps, sampling }) => {
      const post = (m: unknown) => window.postMessage(m, '*');
      post({
        type: 'generation-start',
        meta: { generationId: 3, prompt: '// add two numbers\n', sampling, origin: 'resample', parent: { generationId: 1, position: 5 } },
      });
      for (const s of steps.slice(5, 8)) post({ type: 'token', generationId: 3, step: s });
      post({ type: 'generation-done', generationId: 3, stopReason: 'eos' });
    },
    { steps, sampling: SAMPLING },
  );
  await p.waitForFunction(() => document.querySelector('.tree-item.current')?.getAttribute('data-gen') === '3');
  const how = (await p.textContent('#step-how')) ?? '';
  const finals = await p.$$eval('.alt:not(.header) .num', (e) => e.map((x) => x.textContent));
  check(/^resampled: drawn again at 0\.\d+/.test(how), `a resampled step says it was drawn again (${how})`);
  check(
    finals.filter((f) => f !== '0%' && f !== '—').length > 2 && (await p.$$('svg.cdf .draw')).length === 1,
    'a resampled step shows its distribution and draw',
  );
  await p.close();
}

/** Disabled buttons look disabled, bare code keeps its lines, and a short view leaves room for the conversation. */
async function chatChecks(c: Page, check: Check): Promise<void> {
  await c.evaluate(() => {
    const post = (m: unknown) => window.postMessage(m, '*');
    post({ type: 'reply-done', message: { role: 'assistant', content: '' }, stopReason: 'eos' });
    post({
      type: 'history',
      busy: false,
      templateName: 'plain transcript',
      messages: [
        { role: 'user', content: 'Add two numbers' },
        { role: 'assistant', content: 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))', generationId: 4 },
      ],
    });
  });
  const look = await c.evaluate(() => ({
    stop: Number(getComputedStyle(document.getElementById('stop')!).opacity),
    send: Number(getComputedStyle(document.getElementById('send')!).opacity),
  }));
  check(look.stop < 0.6 && look.send < 0.6, `chat: disabled Send (empty message) and Stop (idle) look disabled (${JSON.stringify(look)})`);
  const code = await c.textContent('.msg.assistant pre code');
  check(
    code === 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n',
    `chat: code without fences keeps its lines (${JSON.stringify(code)})`,
  );
  await c.setViewportSize({ width: 300, height: 230 });
  const share = await c.evaluate(() => document.getElementById('messages')!.getBoundingClientRect().height / window.innerHeight);
  check(share >= 0.5, `chat: in a 230 px tall view the conversation keeps ${(share * 100).toFixed(0)}% of the height`);
  await c.screenshot({ path: resolve(out, 'chat-short.png') });
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
  });
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };
  try {
    for (const part of [inspectorBasics, inspectorLayout, inspectorKeyboard, inspectorHighContrast, inspectorResample]) {
      try {
        await part(browser, check);
      } catch (e) {
        check(false, `${part.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }

    // Chat: sanitized markdown, code tools, streaming.
    const c = await browser.newPage({ viewport: { width: 420, height: 760 } });
    c.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    const chatFile = resolve(out, 'chat.html');
    writeFileSync(chatFile, page('chat'));
    await c.goto('file://' + chatFile);
    await c.evaluate(() => {
      const post = (m: unknown) => window.postMessage(m, '*');
      post({
        type: 'history',
        busy: false,
        templateName: 'plain transcript',
        messages: [
          { role: 'user', content: 'How do I add two numbers in TypeScript? <img src=x onerror=alert(1)>' },
          {
            role: 'assistant',
            content:
              'Use a function:\n\n```ts\nfunction add(a: number, b: number) {\n  return a + b;\n}\n```\n\nThen call **add(1, 2)**. <img src=x onerror=alert(1)> [click](javascript:alert(1)) [docs](https://www.typescriptlang.org)',
            generationId: 3,
          },
          { role: 'user', content: 'And subtract?' },
        ],
      });
      post({ type: 'reply-start' });
      post({ type: 'reply-delta', text: 'Same idea: `a - b`' });
    });
    await c.waitForSelector('#streaming');
    check((await c.$$('.messages img')).length === 0, 'chat: raw HTML in messages renders as text');
    check((await c.$$('a[href^="javascript"]')).length === 0, 'chat: javascript: links are dropped');
    check((await c.$$('a[href="https://www.typescriptlang.org"]')).length === 1, 'chat: https links kept');
    check((await c.$$('.code-tools button')).length === 2, 'chat: code block has copy and insert buttons');
    check((await c.textContent('#streaming'))!.includes('a - b'), 'chat: streaming reply shown');
    await c.click('.code-tools button[aria-label="Copy code"]');
    const copied = await c.evaluate(() =>
      (window as unknown as { __posted: { type: string; text?: string }[] }).__posted.find((m) => m.type === 'copy'),
    );
    check(copied?.text === 'function add(a: number, b: number) {\n  return a + b;\n}', 'chat: copy sends the code text');
    await c.screenshot({ path: resolve(out, 'chat.png') });
    await chatChecks(c, check);

    // Tokenizer view.
    const t = await browser.newPage({ viewport: { width: 420, height: 500 } });
    const tokFile = resolve(out, 'tokenizer.html');
    writeFileSync(tokFile, page('tokenizer'));
    await t.goto('file://' + tokFile);
    await t.evaluate(() => {
      window.postMessage(
        {
          type: 'tokens',
          source: 'selection',
          text: 'const café = 1;\n',
          tokens: [
            { id: 9979, text: 'const', bytes: [99, 111, 110, 115, 116] },
            { id: 21121, text: ' caf', bytes: [32, 99, 97, 102] },
            { id: 2634, text: '', bytes: [195] },
            { id: 102, text: '', bytes: [169] },
            { id: 796, text: ' =', bytes: [32, 61] },
            { id: 352, text: ' 1', bytes: [32, 49] },
            { id: 26, text: ';', bytes: [59] },
            { id: 198, text: '\n', bytes: [10] },
          ],
        },
        '*',
      );
    });
    await t.waitForSelector('.piece');
    const pieces = await t.$$eval('.piece', (e) => e.map((x) => x.firstChild?.textContent));
    check(pieces.join('|') === 'const|·caf|<0xC3>|<0xA9>|·=|·1|;|↵', `tokenizer: boundaries and byte tokens (${pieces.join('|')})`);
    const group = await t.$eval('.piece-group', (e) => [e.querySelector('.group-char')?.textContent, e.querySelectorAll('.piece').length]);
    check(group[0] === 'é' && group[1] === 2, `tokenizer: the two byte tokens are grouped under "é" (${group})`);
    check(/forming "é"/.test((await t.textContent('#tok-head')) ?? ''), 'tokenizer: the header names the characters byte tokens form');
    await t.setViewportSize({ width: 160, height: 500 });
    const broken = await t.$$eval(
      '.piece, table.ids td',
      (els) => els.filter((e) => e.getClientRects().length > 1 || e.getBoundingClientRect().height > 40).length,
    );
    check(broken === 0, `tokenizer: no piece or id wraps inside itself in a narrow view (${broken} did)`);
    await t.setViewportSize({ width: 420, height: 500 });
    await t.screenshot({ path: resolve(out, 'tokenizer.png') });
    check(!alerted, 'no script ran in any view');
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.error(`${failures.length} check(s) failed`);
    process.exit(1);
  }
}

void main();
