// `npm run bench:editor`: keystroke-to-ghost-text latency in the real editor, as a person types. In code-server
// with the packaged VSIX, the sample workspace's Python file gets its own lines typed again at its end, one key
// at a time at about 8 keys per second; the page records, for every key, when the key went down and when ghost text was next on
// screen (checked every frame), before the following key. Reports p50/p95 over the keys that showed ghost text
// and the share that did, and the key's echo (its character on screen): the price of model runs while typing, if
// any, shows there. A measurement, not a test: nothing is asserted.
import type { Page } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../extension/config';
import { openWhenReady, type UiContext } from './completion.ui';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY_MS = 125; // 8 keys per second
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] : NaN;

interface KeyTimes {
  down: number;
  /** The first frame after the key that showed ghost text. */
  shown: number | null;
  /** The first change to the editor's text lines after the key: the typed character on screen (the echo). */
  echoed: number | null;
}

/** In the page: a timestamp per keydown, the echo of the key, and the first frame after it that shows ghost text. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __keys: KeyTimes[] };
    w.__keys = [];
    document.addEventListener('keydown', () => w.__keys.push({ down: performance.now(), shown: null, echoed: null }), true);
    const lines = document.querySelector('.editor-instance .view-lines');
    new MutationObserver(() => {
      const last = w.__keys[w.__keys.length - 1];
      if (last && last.echoed === null) last.echoed = performance.now();
    }).observe(lines ?? document.body, { subtree: true, childList: true, characterData: true });
    const ghost = () =>
      Array.from(document.querySelectorAll('.ghost-text-decoration, .ghost-text .view-line')).some(
        (e) => (e.textContent ?? '').trim() !== '',
      );
    const frame = () => {
      const last = w.__keys[w.__keys.length - 1];
      if (last && last.shown === null && ghost()) last.shown = performance.now();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Lines of code to type: a real file's, leading whitespace left to the editor's auto-indent. */
function script(file: string, keys: number): string[] {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('//'));
  const out: string[] = [];
  for (const l of lines) {
    if (out.join('\n').length >= keys) break;
    out.push(l);
  }
  return out;
}

export async function run(ctx: UiContext & { keys?: number }): Promise<{ screenshots: string[] }> {
  const { page, log } = ctx;
  await openWhenReady(ctx, 'sample.py');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await sleep(1500); // let the first request after opening settle
  await instrument(page);
  const lines = script(join(ctx.workspace, 'sample.py'), ctx.keys ?? 160);
  for (const line of lines) {
    for (const ch of line) {
      await page.keyboard.type(ch);
      await sleep(KEY_MS);
    }
    await page.keyboard.press('Enter');
    await sleep(KEY_MS);
  }
  await sleep(1500);
  const keys = (await page.evaluate(() => (window as unknown as { __keys: KeyTimes[] }).__keys)).slice(0, -1);
  // The editor's own responsiveness while the model runs: key to its character on screen.
  const echoes = keys.filter((k) => k.echoed !== null).map((k) => (k.echoed as number) - k.down);
  // A key's ghost text counts only if it showed before the next key went down.
  const latencies: number[] = [];
  for (const [i, k] of keys.entries()) {
    const next = keys[i + 1]?.down ?? Number.POSITIVE_INFINITY;
    if (k.shown !== null && k.shown < next) latencies.push(k.shown - k.down);
  }
  const result = {
    keys: keys.length,
    keys_per_second: 1000 / KEY_MS,
    // scripts/test-browser.mjs sets the setting from this variable; otherwise the default applies.
    debounce_ms: Number(process.env.TOKENSCOPE_DEBOUNCE_MS || SETTINGS['completion.debounceMs'].def),
    shown_share: keys.length ? latencies.length / keys.length : 0,
    p50_ms: pct(latencies, 50),
    p95_ms: pct(latencies, 95),
    echo_p50_ms: pct(echoes, 50),
    echo_p95_ms: pct(echoes, 95),
    targets: { p50_ms: 150, p95_ms: 400 },
  };
  log(
    `keystroke to ghost text over ${result.keys} keys at ${result.keys_per_second}/s (debounce ${result.debounce_ms} ms): p50 ${result.p50_ms.toFixed(0)} ms, p95 ${result.p95_ms.toFixed(0)} ms; ghost text after ${(100 * result.shown_share).toFixed(0)}% of the keys (targets: p50 < 150 ms, p95 < 400 ms); the key's echo p50 ${result.echo_p50_ms.toFixed(0)} ms, p95 ${result.echo_p95_ms.toFixed(0)} ms`,
  );
  writeFileSync(join(ctx.artifacts, 'editor-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
  return { screenshots: [] };
}
