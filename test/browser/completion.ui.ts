// UI test: what a person sees. In code-server (with the packaged VSIX installed) in headless Chromium:
// open a file, type, see ghost text from the real model, accept it with Tab, and check the file's text.
// Run by scripts/test-browser.mjs, which starts the server and passes the page.
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UiContext {
  page: Page;
  /** Folder opened in VS Code (a copy of samples/). */
  workspace: string;
  /** Where screenshots go. */
  artifacts: string;
  /** Name of the model the status bar should show once loaded. */
  modelName: string;
  log: (msg: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function shot(ctx: UiContext, name: string): Promise<string> {
  const path = join(ctx.artifacts, `${name}.png`);
  await ctx.page.screenshot({ path });
  ctx.log(`screenshot ${path}`);
  return path;
}

async function command(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(title);
  await sleep(400);
  await page.keyboard.press('Enter');
}

/** The ghost text shown in the editor now ('' if none): the inline part and any lines below. */
async function ghostText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const inline = Array.from(document.querySelectorAll('.ghost-text-decoration'))
      .map((e) => e.textContent ?? '')
      .join('');
    const lines = Array.from(document.querySelectorAll('.ghost-text .view-line')).map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' '));
    return (inline + (lines.length ? '\n' + lines.join('\n') : '')).replace(/\u00a0/g, ' ');
  });
}

/** Waits for the workbench and the model, then opens `file` through Quick Open, as a person would, and focuses it. */
export async function openWhenReady(ctx: UiContext, file: string): Promise<void> {
  const { page, log } = ctx;
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
  log('workbench loaded');
  // The extension activates on startup and loads the model in the background: wait for the status bar.
  await page.locator('.statusbar').getByText(ctx.modelName, { exact: false }).first().waitFor({ timeout: 120_000 });
  log(`status bar shows ${ctx.modelName}`);
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
  await page.keyboard.type(file);
  // Enter before the file search answers opens nothing (seen on a loaded machine): wait for the file's row.
  await page.locator('.quick-input-list .monaco-list-row').filter({ hasText: file }).first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Enter');
  // Click into the text to focus the editor (newer VS Code uses EditContext, not a textarea).
  await page.locator('.monaco-editor .view-lines').first().click();
  await sleep(500);
}

export async function run(ctx: UiContext): Promise<{ screenshots: string[] }> {
  const { page, log } = ctx;
  const screenshots: string[] = [];
  await openWhenReady(ctx, 'sample.ts');

  // Type a new function header at the end of the file and open its body.
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('export function multiply(a: number, b: number): number {', { delay: 20 });
  await page.keyboard.press('Enter');
  log('typed a function header');

  // Ghost text from the real model: typed-in requests are automatic; if none shows, trigger by hand.
  let ghost = '';
  for (let i = 0; i < 60 && !ghost.trim(); i++) {
    await sleep(500);
    ghost = await ghostText(page);
    if (i === 20 && !ghost.trim()) {
      log('no ghost text yet: running "Trigger Inline Suggestion"');
      await command(page, 'Trigger Inline Suggestion');
    }
  }
  if (!ghost.trim()) {
    screenshots.push(await shot(ctx, 'no-ghost-text'));
    throw new Error('no ghost text appeared');
  }
  log(`ghost text: ${JSON.stringify(ghost)}`);
  screenshots.push(await shot(ctx, 'ghost-text'));

  await page.keyboard.press('Tab');
  await sleep(500);
  screenshots.push(await shot(ctx, 'accepted'));
  await page.keyboard.press('Control+S');
  await sleep(1000);

  const text = readFileSync(join(ctx.workspace, 'sample.ts'), 'utf8');
  const header = 'export function multiply(a: number, b: number): number {\n';
  const at = text.indexOf(header);
  if (at < 0) throw new Error('the typed header is not in the saved file');
  const body = text.slice(at + header.length);
  // The accepted ghost text follows the header (after the indentation the editor inserted).
  const firstGhostLine = ghost
    .split('\n')
    .find((l) => l.trim())!
    .trim();
  const firstBodyLine =
    body
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  log(`first line after the header: ${JSON.stringify(firstBodyLine)}`);
  if (!firstBodyLine.startsWith(firstGhostLine)) {
    throw new Error(
      `the accepted text is not in the file: expected ${JSON.stringify(firstGhostLine)}, found ${JSON.stringify(firstBodyLine)}`,
    );
  }
  log('Tab accepted the ghost text into the file');
  return { screenshots };
}
