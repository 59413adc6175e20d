// Shared by the inspector render tests: neutral settings at temperature 1, steps, a state holding one
// generation, a recording Actions, and token texts that try to become markup.
import type { PathStep, SamplingSettings } from '../../../../webview/protocol';
import { SAMPLING_DEFAULTS, SAMPLING_OFF } from '../../../../sampling/settings';
import type { Actions } from '../../../../webview/inspector/actions';
import { InspectorState } from '../../../../webview/inspector/state';
import { type FakeElement, FakeText, fakeDocument, installFakeDom } from '../fake-dom';

installFakeDom();

/** Every processor off, temperature 1: the final probabilities equal the raw ones. */
export const S: SamplingSettings = { ...SAMPLING_DEFAULTS, ...SAMPLING_OFF, temperature: 1 };

/** Token texts that would be markup, or break a label, if they went in as anything but text. */
export const HOSTILE = ['<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>', '"><svg onload=alert(1)>', '&lt;b&gt; &amp;'];

export function step(position: number, id: number, over: Partial<PathStep> = {}): PathStep {
  return {
    position,
    id,
    text: `t${id}`,
    bytes: [],
    partial: false,
    rawProb: 0.6,
    finalProb: 0.6,
    entropy: 0.9,
    draw: 0.3,
    rank: 1,
    alternatives: [
      { id, text: `t${id}`, rawProb: 0.6, finalProb: 0.6 },
      { id: 500, text: 'other', rawProb: 0.3, finalProb: 0.3 },
      { id: 501, text: 'rare', rawProb: 0.1, finalProb: 0.1 },
    ],
    ...over,
  };
}

/** A state showing generation 7 (prompt `prompt`) with these steps, generated with `sampling`. */
export function stateWith(
  steps: PathStep[],
  opts: { done?: boolean; prompt?: string; sampling?: SamplingSettings; stopReason?: string } = {},
): InspectorState {
  const sampling = opts.sampling ?? S;
  const st = new InspectorState(sampling);
  st.apply({ type: 'init', sampling, defaults: sampling, modelName: 'm', topN: 20 });
  const meta = { generationId: 7, prompt: opts.prompt ?? 'p', sampling, origin: 'prompt' as const };
  st.apply({ type: 'generation', meta, steps, done: false });
  if (opts.done ?? true) st.apply({ type: 'generation-done', generationId: 7, stopReason: opts.stopReason ?? 'length' });
  return st;
}

/** An Actions whose every call is recorded as [name, ...args]. */
export function recorder(): { a: Actions; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const a = new Proxy({} as Actions, {
    get:
      (_t, name) =>
      (...args: unknown[]) =>
        calls.push([name, ...args]),
  });
  return { a, calls };
}

/** A fresh container, as the inspector's page has, typed for the renderers. */
export function container(): HTMLElement {
  fakeDocument.activeElement = null;
  return fakeDocument.createElement('div') as unknown as HTMLElement;
}

export const el = (x: unknown) => x as FakeElement;

/** The element's text children's data, one entry per child node; an element child shows as `<tag>`. */
export function nodes(e: unknown): string[] {
  return el(e).childNodes.map((c) => (c instanceof FakeText ? c.data : `<${c.localName}>`));
}

/** The elements with `cls` among `root`'s descendants. */
export const byClass = (root: unknown, cls: string) => el(root).querySelectorAll(`.${cls}`);
