// Renders each webview bundle in a plain headless Chromium page with sample data and a fake
// acquireVsCodeApi, checks a few things a person would see, and saves screenshots under
// .artifacts/preview/. Run: npm run build && node dist-test/browser/webview-preview.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { sampleSteps, SAMPLING } from './webview-fixtures';

const root = resolve(__dirname, '../..');
const out = resolve(root, '.artifacts/preview');
mkdirSync(out, { recursive: true });

const DARK = `--vscode-foreground:#cccccc;--vscode-editor-background:#1f1f1f;--vscode-descriptionForeground:#9d9d9d;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-editor-font-size:13px;--vscode-button-background:#0078d4;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#313131;--vscode-button-secondaryForeground:#ccc;--vscode-input-background:#313131;--vscode-input-foreground:#ccc;--vscode-focusBorder:#0078d4;--vscode-panel-border:#2b2b2b;--vscode-charts-green:#89d185;--vscode-charts-yellow:#cca700;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-purple:#b180d7;--vscode-charts-blue:#3794ff;--vscode-list-hoverBackground:#2a2d2e;--vscode-list-activeSelectionBackground:#04395e;--vscode-list-inactiveSelectionBackground:#37373d;--vscode-badge-background:#616161;--vscode-badge-foreground:#f8f8f8;--vscode-errorForeground:#f85149;--vscode-textCodeBlock-background:#2b2b2b`;

function page(view: string): string {
  return `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${root}/dist/webview/codicon.css">
<link rel="stylesheet" href="file://${root}/media/webview.css">
<style>html{${DARK}}</style>
<script>window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:m=>window.__posted.push(m),getState:()=>undefined,setState:()=>{}});</script>
</head><body><script src="file://${root}/dist/webview/${view}.js"></script></body></html>`;
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
    const p = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    let alerted = false;
    p.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    const file = resolve(out, 'inspector.html');
    writeFileSync(file, page('inspector'));
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
    const before = await p.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
    await p.screenshot({ path: resolve(out, 'inspector-probability.png'), fullPage: true });
    await p.fill('#ctl-temperature', '1.8');
    await p.dispatchEvent('#ctl-temperature', 'change');
    const after = await p.$$eval('.alt .num', (e) => e.map((x) => x.textContent).join('|'));
    check(before !== after, 'temperature change redraws the distribution');
    const posted = await p.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.map((m) => m.type));
    check(
      posted.includes('resample-step') && !posted.includes('generate'),
      'temperature change asks for an exact resample and no generation',
    );
    await p.click('#mode-rank');
    await p.screenshot({ path: resolve(out, 'inspector-rank.png'), fullPage: true });
    await p.click('.alt:not(.chosen):not(.header)');
    const branch = await p.evaluate(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.find((m) => m.type === 'branch'),
    );
    check(!!branch, 'clicking an alternative posts a branch request');
    await p.click('[aria-label="Compare generation 2 side by side"]');
    await p.screenshot({ path: resolve(out, 'inspector-compare.png'), fullPage: true });
    check(await p.isVisible('#compare'), 'side by side comparison shows');
    check(!alerted, 'no script from token text ran');

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
