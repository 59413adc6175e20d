import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPrompt, estimateTokens, pickExtra, MAX_CHARS_PER_TOKEN, takeHead, takeTail } from '../../../../extension/completion/prompt';

const byChars = (t: string) => t.length;

test('takeTail keeps whole lines from the end within the budget, the cursor line always', () => {
  assert.equal(takeTail('aaaa\nbbbb\ncc', 8, byChars), 'bbbb\ncc');
  assert.equal(takeTail('aaaa\nbbbb\ncc', 100, byChars), 'aaaa\nbbbb\ncc');
  assert.equal(takeTail('aaaa\nbbbbbbbbbbbb', 2, byChars), 'bbbbbbbbbbbb');
});

test('takeHead keeps whole lines from the start within the budget', () => {
  assert.equal(takeHead(')\nxxxx\nyyyy', 7, byChars), ')\nxxxx');
  assert.equal(takeHead('abc', 0, byChars), '');
});

test('buildPrompt: FIM within the budget, the suffix share respected, unused suffix budget to the prefix', () => {
  const before = Array.from({ length: 50 }, (_, i) => `line${i}`).join('\n') + '\nconst x = ';
  const after = ';\n' + Array.from({ length: 50 }, (_, i) => `after${i}`).join('\n');
  const p = buildPrompt({ before, after, budgetTokens: 100, suffixShare: 0.25, supportsFim: true, count: byChars });
  assert.ok(p.prompt.fim);
  assert.ok(p.suffix.length <= 25 && p.suffix.startsWith(';\n'));
  assert.ok(p.prefix.endsWith('const x = '));
  assert.ok(p.prefix.length + p.suffix.length <= 100 + 'const x = '.length);
  // No suffix text: the prefix gets the whole budget.
  const q = buildPrompt({ before, after: '', budgetTokens: 100, suffixShare: 0.25, supportsFim: true, count: byChars });
  assert.ok(q.prefix.length > p.prefix.length);
});

test('buildPrompt without FIM falls back to the prefix alone', () => {
  const p = buildPrompt({ before: 'a\nb', after: 'c\nd', budgetTokens: 100, suffixShare: 0.5, supportsFim: false });
  assert.deepEqual(p.prompt, { text: 'a\nb' });
  assert.equal(p.suffix, '');
});

test('buildPrompt: the prompt start stays put while typing on the same line (prefix cache reuse)', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `let v${i} = ${i};`).join('\n') + '\n';
  const a = buildPrompt({ before: lines + 'con', after: '', budgetTokens: 300, suffixShare: 0, supportsFim: true });
  const b = buildPrompt({ before: lines + 'cons', after: '', budgetTokens: 300, suffixShare: 0, supportsFim: true });
  assert.equal(b.prefix.slice(0, 40), a.prefix.slice(0, 40));
});

test('extra chunks: put before the prefix with a path header, newest kept first when over budget', () => {
  const chunks = [
    { path: 'old.ts', text: 'x'.repeat(60) },
    { path: 'new.ts', text: 'export function helper() {}' },
  ];
  const text = pickExtra(chunks, 40, '//', byChars).text;
  assert.equal(text, '// new.ts\nexport function helper() {}\n\n');
  const p = buildPrompt({
    before: 'helper',
    after: '',
    budgetTokens: 200,
    suffixShare: 0.2,
    supportsFim: true,
    extra: { chunks, share: 0.5, lineComment: '//' },
    count: byChars,
  });
  assert.ok(p.prompt.fim!.prefix.startsWith('// new.ts\n'));
  assert.ok(p.prompt.fim!.prefix.endsWith('helper'));
  assert.equal(p.tokens.extra, text.length);
});

test('extra chunks for a model with repository tokens: files of the repository, not comments in the prefix', () => {
  const big = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
  const chunks = [
    { path: 'src/big.ts', text: big },
    { path: 'src/new.ts', text: 'export function helper() {}' },
  ];
  const p = buildPrompt({
    before: 'helper',
    after: '()',
    budgetTokens: 200,
    suffixShare: 0.2,
    supportsFim: true,
    extra: { chunks, share: 0.5, lineComment: '//' },
    repo: { name: 'shop', path: 'src/main.ts' },
    count: byChars,
  });
  assert.equal(p.prompt.fim!.prefix, 'helper');
  const ctx = p.prompt.fim!.context!;
  assert.deepEqual([ctx.repo, ctx.path], ['shop', 'src/main.ts']);
  // The same picks as the comment form: the newest whole, the older one cut to its first lines.
  assert.deepEqual(
    ctx.files.map((f) => f.path),
    ['src/big.ts', 'src/new.ts'],
  );
  assert.equal(ctx.files[1].text, 'export function helper() {}');
  assert.ok(ctx.files[0].text.startsWith('line 0\nline 1\nline 2') && ctx.files[0].text.length < big.length);
  assert.equal(p.tokens.extra, p.extra.length, 'budgeted as the comment form would be');
});

test('extra chunks: a chunk too big for the budget is cut to its first lines instead of dropped', () => {
  const big = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
  const text = pickExtra([{ path: 'big.ts', text: big }], 60, '//', byChars).text;
  assert.ok(text.startsWith('// big.ts\nline 0\nline 1\nline 2\n'));
  assert.ok(text.length <= 60);
  // Under three lines would be noise: nothing.
  assert.equal(pickExtra([{ path: 'big.ts', text: big }], 20, '//', byChars).text, '');
});

test('estimateTokens grows with the text', () => {
  assert.equal(estimateTokens(''), 0);
  assert.ok(estimateTokens('function f() {}') >= 4);
});

test('buildPrompt: the work per keystroke does not grow with the file (a 10 MB one-line file)', () => {
  const line = 'x=1;'.repeat(2_500_000); // 10 MB, no newline: a minified bundle
  const cursor = line.length / 2;
  let counted = 0;
  const count = (t: string) => {
    counted += t.length;
    return Math.ceil(t.length / 3);
  };
  const built = buildPrompt({
    before: line.slice(0, cursor),
    after: line.slice(cursor),
    budgetTokens: 512,
    suffixShare: 0.25,
    supportsFim: true,
    count,
  });
  const span = 512 * MAX_CHARS_PER_TOKEN;
  assert.ok(built.prefix.length <= span && built.suffix.length <= span, 'at most the span on each side reaches the worker');
  assert.ok(counted <= 4 * 2 * span, `characters counted: ${counted}`);
  assert.ok(line.slice(0, cursor).endsWith(built.prefix), 'the prefix is the text right before the cursor');
  assert.ok(line.slice(cursor).startsWith(built.suffix), 'the suffix is the text right after it');
});

test('buildPrompt: a normal file is untouched by the character span', () => {
  const before = Array.from({ length: 40 }, (_, i) => `const v${i} = f(${i});`).join('\n') + '\nconst x = ';
  const full = buildPrompt({ before, after: ';\n', budgetTokens: 512, suffixShare: 0.25, supportsFim: false });
  assert.equal(full.prefix, before, 'a file well within the budget is sent whole');
});
