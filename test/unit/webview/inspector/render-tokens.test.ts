// The inspector's token side on a fake DOM: a chip holds its token as one text node whatever the token is
// (markup, control characters, lone surrogates, partial UTF-8), says its probability and rank in its ARIA
// label, is an option of the listbox when interactive; the chip row marks the selection, the summary shows
// the numbers of the path, the legend the colour key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chip, renderChips, renderLegend, renderSummary } from '../../../../webview/inspector/render-tokens';
import { created, FakeText } from '../fake-dom';
import { byClass, container, el, HOSTILE, nodes, recorder, S, stateWith, step } from './fixtures';

/** [token as generated, label shown, kind, description in the ARIA label]. */
const CASES: [Partial<Parameters<typeof step>[2]>, string, string, string][] = [
  [{ text: HOSTILE[0] }, '<img·src=x·onerror=alert(1)>', 'text', '"<img src=x onerror=alert(1)>"'],
  [{ text: HOSTILE[1] }, '</script><script>alert(1)</script>', 'text', '"</script><script>alert(1)</script>"'],
  [{ text: HOSTILE[2] }, '"><svg·onload=alert(1)>', 'text', '"\\"><svg onload=alert(1)>"'],
  // Entities stay as typed: parsed as HTML they would turn into "<b> &".
  [{ text: HOSTILE[3] }, '&lt;b&gt;·&amp;', 'text', '"&lt;b&gt; &amp;"'],
  // Control characters become caret notation, a tab an arrow; the description escapes them.
  [{ text: '\u0000\u0007\t\u001b[31m\u007f' }, '^@^G→^[[31m^?', 'text', '"\\u0000\\u0007\\t\\u001b[31m\u007f"'],
  // A lone surrogate is kept as it is in the label and escaped in the description.
  [{ text: 'a\ud800b' }, 'a\ud800b', 'text', '"a\\ud800b"'],
  // Partial UTF-8: the bytes, in hex.
  [{ text: '', bytes: [0xe2, 0x82], partial: true }, '<0xE2><0x82>', 'bytes', 'partial UTF-8 bytes <0xE2><0x82>'],
  [{ text: '\ufffd', bytes: [0xff], partial: true }, '<0xFF>', 'bytes', 'partial UTF-8 bytes <0xFF>'],
  [{ text: '\n' }, '↵', 'newline', 'newline "\\n"'],
  [{ text: '' }, '∅', 'empty', 'empty token'],
];

test('chip: any token text goes in as one text node, never as markup; its ARIA label describes it exactly', () => {
  const { a } = recorder();
  for (const [over, label, kind, description] of CASES) {
    created.length = 0;
    const c = el(chip(step(2, 10, { ...over, rawProb: 0.25, rank: 4 }), 2, 'probability', false, 'own', a));
    // Only the chip itself was made: the text made no element.
    assert.deepEqual(created, ['span'], description);
    assert.equal(c.childNodes.length, 1, description);
    assert.ok(c.childNodes[0] instanceof FakeText, description);
    assert.equal(c.textContent, label);
    assert.equal(c.getAttribute('aria-label'), `Token 3: ${description}, probability 25.0%, rank 4`);
    assert.equal(c.getAttribute('class'), `chip p2 kind-${kind}`);
    assert.ok(c.getAttribute('title')!.startsWith(`${description}\nraw p 25.0%`), c.getAttribute('title')!);
  }
});

test('chip: an interactive chip is an option with its id and selection; a click selects it, a hover shows it', () => {
  const { a, calls } = recorder();
  const s = step(2, 10, { rawProb: 0.6, finalProb: 0.45, rank: 3, entropy: 0.9, forced: true });
  const c = el(chip(s, 2, 'probability', true, 'parent', a));
  assert.equal(c.getAttribute('role'), 'option');
  assert.equal(c.getAttribute('id'), 'chip-2');
  assert.equal(c.getAttribute('aria-selected'), 'true');
  assert.equal(c.getAttribute('data-index'), '2');
  assert.equal(c.getAttribute('class'), 'chip p1 kind-text selected forced inherited');
  assert.equal(c.getAttribute('title'), '"t10"\nraw p 60.0%, final p 45.0%, rank 3, entropy 0.90 nats\nforced by a branch');
  assert.equal(el(chip(s, 2, 'probability', false, 'own', a)).getAttribute('aria-selected'), 'false');
  c.dispatch('click');
  c.dispatch('mouseenter');
  assert.deepEqual(calls, [
    ['selectPosition', 2, true],
    ['hoverPosition', 2],
  ]);
});

test('chip: without actions (the comparison) it is no option and does nothing; rank mode colours by GLTR bucket', () => {
  const c = el(chip(step(0, 10, { rank: 42 }), 0, 'rank', false, 'own'));
  for (const attr of ['role', 'id', 'aria-selected']) assert.equal(c.getAttribute(attr), null, attr);
  assert.equal(c.getAttribute('aria-label'), 'Token 1: "t10", probability 60.0%, rank 42');
  assert.equal(c.getAttribute('class'), 'chip r-top100 kind-text');
  assert.equal(el(chip(step(0, 10, { rank: 1001 }), 0, 'rank', false, 'own')).getAttribute('class'), 'chip r-rest kind-text');
  c.dispatch('click');
});

const STEPS = () => [step(0, 10, { text: HOSTILE[0] }), step(1, 11, { text: 'end\n' }), step(2, 12, { rawProb: 0.04, rank: 42 })];

test('renderChips: the prompt, then one chip per token in order, a line break after a newline, the selection marked', () => {
  const prompt = `${HOSTILE[1]}${'x'.repeat(500)}`;
  const st = stateWith(STEPS(), { prompt });
  const root = container();
  renderChips(root, st, 1, recorder().a);
  const kids = el(root).children;
  assert.deepEqual(
    kids.map((k) => `${k.localName}${k.getAttribute('id') ? `#${k.getAttribute('id')}` : ''}`),
    ['span', 'span#chip-0', 'span#chip-1', 'br', 'span#chip-2'],
  );
  // The prompt: its last 400 characters, as text.
  assert.equal(kids[0].getAttribute('aria-label'), 'Prompt');
  assert.deepEqual(nodes(kids[0]), [`…${'x'.repeat(400)}`]);
  assert.deepEqual(nodes(kids[1]), ['<img·src=x·onerror=alert(1)>']);
  assert.deepEqual(nodes(kids[2]), ['end↵']);
  assert.equal(el(root).getAttribute('aria-activedescendant'), 'chip-1');
  assert.deepEqual(
    el(root)
      .querySelectorAll('[role="option"]')
      .map((c) => c.getAttribute('aria-selected')),
    ['false', 'true', 'false'],
  );
  assert.equal(kids[4].getAttribute('class'), 'chip p4 kind-text');
  // Done: no cursor.
  assert.equal(byClass(root, 'cursor').length, 0);
});

test('renderChips: a short prompt whole, as text; a streaming generation ends with a hidden cursor', () => {
  const st = stateWith(STEPS(), { prompt: HOSTILE[0], done: false });
  const root = container();
  created.length = 0;
  renderChips(root, st, undefined, recorder().a);
  assert.ok(
    created.every((t) => t === 'span' || t === 'br'),
    created.join(','),
  );
  assert.deepEqual(nodes(el(root).children[0]), [HOSTILE[0]]);
  const last = el(root).children.at(-1)!;
  assert.equal(last.getAttribute('class'), 'cursor');
  assert.equal(last.getAttribute('aria-hidden'), 'true');
  assert.equal(el(root).getAttribute('aria-activedescendant'), '');
  assert.equal(byClass(root, 'selected').length, 0);
});

test('renderChips: a new selection on the same tokens moves the highlight without replacing the chips', () => {
  const st = stateWith(STEPS());
  const root = container();
  renderChips(root, st, 1, recorder().a);
  const before = el(root).children;
  renderChips(root, st, 2, recorder().a);
  assert.deepEqual(el(root).children, before);
  assert.ok(el(root).children.every((c, i) => c === before[i]));
  assert.equal(el(root).getAttribute('aria-activedescendant'), 'chip-2');
  assert.deepEqual(
    el(root)
      .querySelectorAll('[role="option"]')
      .map((c) => [c.getAttribute('aria-selected'), c.classList.contains('selected')]),
    [
      ['false', false],
      ['false', false],
      ['true', true],
    ],
  );
  renderChips(root, st, undefined, recorder().a);
  assert.equal(el(root).getAttribute('aria-activedescendant'), '');
  assert.equal(byClass(root, 'selected').length, 0);
  // A new token rebuilds.
  st.apply({ type: 'token', generationId: 7, step: step(3, 13) });
  renderChips(root, st, 3, recorder().a);
  assert.equal(el(root).querySelectorAll('[role="option"]').length, 4);
  assert.notEqual(el(root).children[1], before[1]);
});

test('renderChips: on a branch the parent’s tokens are marked inherited, the forced one forced', () => {
  const st = stateWith(STEPS());
  st.apply({
    type: 'generation',
    meta: { generationId: 8, prompt: 'p', sampling: S, origin: 'branch', parent: { generationId: 7, position: 1 }, forcedText: 'x' },
    steps: [step(1, 500, { forced: true }), step(2, 77)],
    done: true,
    select: true,
  });
  const root = container();
  renderChips(root, st, 0, recorder().a);
  assert.deepEqual(
    el(root)
      .querySelectorAll('[role="option"]')
      .map((c) => c.getAttribute('class')),
    ['chip p1 kind-text selected inherited', 'chip p1 kind-text forced', 'chip p1 kind-text'],
  );
});

/** Each stat as [id, label, value]. */
const stats = (root: HTMLElement) =>
  byClass(root, 'stat').map((s) => [s.getAttribute('id'), s.children[0].textContent, s.children[1].textContent]);

test('renderSummary: the path’s numbers, the stop reason, the counters, and an entropy strip that selects', () => {
  const st = stateWith([step(0, 10, { rawProb: 0.5, entropy: 1 }), step(1, 11, { rawProb: 0.25, entropy: 2 })], { stopReason: 'stop' });
  st.apply({ type: 'counters', generate: 3, resample: 5 });
  const root = container();
  const { a, calls } = recorder();
  renderSummary(root, st, 1, a);
  // Perplexity 2^1.5, mean log-prob -1.5 ln 2.
  assert.deepEqual(stats(root), [
    ['stat-tokens', 'Tokens', '2'],
    ['stat-ppl', 'Perplexity', '2.83'],
    ['stat-mlp', 'Mean log-prob', '-1.040'],
    ['stat-ent', 'Mean entropy', '1.50 nats'],
    ['stat-stop', 'Stop', 'stop'],
    ['stat-generate', 'Model runs', '3'],
    ['stat-resample', 'Redraws (no model run)', '5'],
  ]);
  const bars = byClass(root, 'entropy-wrap')[0].all('rect');
  assert.deepEqual(
    bars.map((r) => r.getAttribute('class')),
    ['ent', 'ent selected'],
  );
  bars[0].dispatch('click');
  assert.deepEqual(calls, [['selectPosition', 0, false]]);
  // Rendering again replaces, not appends.
  renderSummary(root, st, 1, a);
  assert.equal(byClass(root, 'stat').length, 7);
});

test('renderSummary: dashes with nothing generated; "generating…" while a generation streams', () => {
  const root = container();
  const empty = stateWith([]);
  empty.current = undefined;
  renderSummary(root, empty, undefined, recorder().a);
  assert.deepEqual(
    stats(root).map((s) => s[2]),
    ['0', '–', '–', '–', '–', '0', '0'],
  );
  assert.equal(byClass(root, 'entropy-wrap').length, 0);
  renderSummary(root, stateWith([step(0, 10)], { done: false }), 0, recorder().a);
  assert.equal(stats(root)[4][2], 'generating…');
});

test('renderLegend: the probability bands, or the rank buckets with why top-k caps every rank', () => {
  const root = container();
  const st = stateWith([step(0, 10)], { sampling: { ...S, topK: 40 } });
  renderLegend(root, st);
  assert.deepEqual(
    el(root).children.map((c) => [c.getAttribute('class'), c.textContent]),
    [
      ['legend-title', 'Raw probability:'],
      ['chip legend p0', '≥80%'],
      ['chip legend p1', '≥50%'],
      ['chip legend p2', '≥20%'],
      ['chip legend p3', '≥5%'],
      ['chip legend p4', '<5%'],
    ],
  );
  st.colorMode = 'rank';
  renderLegend(root, st);
  assert.deepEqual(
    el(root).children.map((c) => [c.getAttribute('class'), c.textContent]),
    [
      ['legend-title', 'Rank of the token (GLTR):'],
      ['chip legend r-top10', 'top 10'],
      ['chip legend r-top100', 'top 100'],
      ['chip legend r-top1000', 'top 1000'],
      ['chip legend r-rest', 'rest'],
      ['legend-note', 'Top-k 40 kept only the 40 most likely tokens at each step, so every sampled token is in the top 100.'],
    ],
  );
  const note = (topK: number) => {
    const s = stateWith([step(0, 10)], { sampling: { ...S, topK } });
    s.colorMode = 'rank';
    renderLegend(root, s);
    return el(root).querySelector('#gltr-note')?.textContent;
  };
  assert.equal(note(5), 'Top-k 5 kept only the 5 most likely tokens at each step, so every sampled token is in the top 10.');
  assert.equal(note(0), undefined);
  assert.equal(note(500), undefined);
});
