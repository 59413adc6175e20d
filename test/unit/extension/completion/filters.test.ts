import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowsMultiLine,
  cutRepetition,
  postProcessTraced,
  dropLineSuffixOverlap,
  dropRepeatedSuffix,
  limitLines,
  limitToOneLine,
  postProcess,
  stopAtBlankLine,
  stopAtBlockEnd,
  trimCompletion,
  type FilterContext,
} from '../../../../extension/completion/filters';

test('allowsMultiLine: auto mode gives several lines only at an empty line or a block opener', () => {
  const auto = (linePrefix: string, lineSuffix = '') => allowsMultiLine({ linePrefix, lineSuffix, lineMode: 'auto' });
  assert.equal(auto('    '), true);
  assert.equal(auto('function f() {'), true);
  assert.equal(auto('def f(x):'), true);
  assert.equal(auto('const f = () =>'), true);
  assert.equal(auto('const x = fo'), false);
  assert.equal(auto('foo(', ')'), true);
  assert.equal(auto('foo(', 'bar)'), false);
  assert.equal(allowsMultiLine({ linePrefix: 'x = ', lineSuffix: '', lineMode: 'multiLine' }), true);
  assert.equal(allowsMultiLine({ linePrefix: '', lineSuffix: '', lineMode: 'singleLine' }), false);
});

test('limitToOneLine keeps the first line, or the next one when the completion starts a new line', () => {
  assert.equal(limitToOneLine('a + b;\nreturn c;', false), 'a + b;');
  assert.equal(limitToOneLine('\n  return c;\n}', false), '\n  return c;');
  assert.equal(limitToOneLine('a\nb', true), 'a\nb');
  assert.equal(limitToOneLine('\nfoo();', false, '  const x ='), '');
  assert.equal(limitToOneLine('\n  foo();\nbar', false, '  '), '\n  foo();');
});

test('stopAtBlankLine stops before the first blank line after content', () => {
  assert.equal(stopAtBlankLine('a\nb\n\nc'), 'a\nb');
  assert.equal(stopAtBlankLine('\n  x\n   \ny'), '\n  x');
  assert.equal(stopAtBlankLine('a\nb'), 'a\nb');
});

test('stopAtBlockEnd: a dedented line ends the block; a closer of the cursor block is kept', () => {
  // Inside a function body at indent 2: the outer closing brace belongs to the code below.
  assert.equal(stopAtBlockEnd('return x;\n}\nfunction g() {}', '  '), 'return x;');
  // At the end of a block opener: the body and its closing brace, then stop.
  assert.equal(stopAtBlockEnd('\n  return 1;\n}\nfunction g() {', 'function f() {'), '\n  return 1;\n}');
  // A nested block opened by the completion keeps its closer and goes on.
  assert.equal(stopAtBlockEnd('if (a) {\n    b();\n  }\n  c();\n}', '  '), 'if (a) {\n    b();\n  }\n  c();');
  // Python: the body of the block the cursor line opened ends where the indentation comes back.
  assert.equal(stopAtBlockEnd('\n    return a\nprint(f(1))', 'def f(a):'), '\n    return a');
  // Without an opener on the cursor line, lines at the same indentation go on.
  assert.equal(stopAtBlockEnd('x = 1\n    y = 2', '    '), 'x = 1\n    y = 2');
});

test('stopAtBlockEnd: python body stops at a line indented less than the body', () => {
  assert.equal(stopAtBlockEnd('return a\n    x = 1\nprint(1)', '        '), 'return a');
});

test('cutRepetition keeps one copy of a looping piece and cuts the rest', () => {
  assert.equal(cutRepetition(' Pond Pond Pond Pond Pond'), ' Pond');
  assert.equal(cutRepetition('if not not not not x:'), 'if not');
  assert.equal(cutRepetition('a();\na();\na();\na();\nb();'), 'a();\n');
  // Three in a row is still code (and whitespace runs are indentation).
  assert.equal(cutRepetition('x = [0, 0, 0]'), 'x = [0, 0, 0]');
  assert.equal(cutRepetition('\n        return a'), '\n        return a');
  assert.equal(cutRepetition('return total;'), 'return total;');
  assert.equal(cutRepetition('// ==========='), '// ===========');
});

test('limitLines keeps at most n lines', () => {
  assert.equal(limitLines('1\n2\n3\n4', 2), '1\n2');
  assert.equal(limitLines('1\n2', 5), '1\n2');
});

test('dropRepeatedSuffix drops trailing lines that repeat the code below', () => {
  assert.equal(dropRepeatedSuffix('\n  return 1;\n}', ['}', '', 'function g() {}']), '\n  return 1;');
  assert.equal(dropRepeatedSuffix('a = 1\nb = 2\nc = 3', ['b = 2', 'c = 3', 'd = 4']), 'a = 1');
  // Indentation matters: an inner closer is not the outer one.
  assert.equal(dropRepeatedSuffix('if (x) {\n    y();\n  }', ['}']), 'if (x) {\n    y();\n  }');
  // A one-line completion equal to the next line is dropped entirely.
  assert.equal(dropRepeatedSuffix('return total;', ['  return total;']), '');
  assert.equal(dropRepeatedSuffix('a\nb', []), 'a\nb');
});

test('dropLineSuffixOverlap removes what is already after the cursor', () => {
  assert.equal(dropLineSuffixOverlap('a, b)', ')'), 'a, b');
  assert.equal(dropLineSuffixOverlap('a, b', ')'), 'a, b');
  assert.equal(dropLineSuffixOverlap('x\ny)', ')'), 'x\ny)');
});

test('trimCompletion trims trailing whitespace and drops blank completions', () => {
  assert.equal(trimCompletion('foo();   \n  \n'), 'foo();');
  assert.equal(trimCompletion('  \n \n'), '');
  assert.equal(trimCompletion('\n  x '), '\n  x');
});

test('postProcess: golden cases', () => {
  const ctx = (over: Partial<FilterContext>): FilterContext => ({
    linePrefix: '',
    lineSuffix: '',
    linesBelow: [],
    lineMode: 'auto',
    maxLines: 8,
    ...over,
  });
  // Mid-line: one line.
  assert.equal(postProcess('(a, b);\nconsole.log(x);', ctx({ linePrefix: '  const s = sum' })), '(a, b);');
  // Block opener: body, closer dropped because it is already below.
  assert.equal(
    postProcess('\n  return a + b;\n}\n\nfunction mul(a, b) {', ctx({ linePrefix: 'function add(a, b) {', linesBelow: ['}'] })),
    '\n  return a + b;',
  );
  // Max lines.
  assert.equal(postProcess('a();\n  b();\n  c();\n  d();', ctx({ linePrefix: '  ', maxLines: 2 })), 'a();\n  b();');
  // Only repeats what is below: nothing.
  assert.equal(postProcess('return x;', ctx({ linePrefix: '  ', linesBelow: ['  return x;', '}'] })), '');
  // Windows newlines are normalised.
  assert.equal(postProcess('a\r\nb', ctx({ linePrefix: '', lineMode: 'multiLine' })), 'a\nb');
});

test('postProcess: golden cases with text after the cursor on its line', () => {
  const ctx = (linePrefix: string, lineSuffix: string, over: Partial<FilterContext> = {}): FilterContext => ({
    linePrefix,
    lineSuffix,
    linesBelow: [],
    lineMode: 'auto',
    maxLines: 8,
    ...over,
  });
  // Inside `foo(|)` (an auto-closed paren): the model closes the call itself; accepting must not leave `))`.
  assert.equal(postProcess('a, b)', ctx('  foo(', ')')), 'a, b');
  // Mid-line, one line: the rest of the model's line is cut, then the closer already there is dropped.
  assert.equal(postProcess(', b)\nreturn x;', ctx('  const m = max(a', ')')), ', b');
  // Several closers after the cursor, repeated with the statement's end.
  assert.equal(postProcess('items[0]);', ctx('  console.log(', ');')), 'items[0]');
  // Inside a string: the closing quote and paren are already there.
  assert.equal(postProcess(' world")', ctx('print("hello', '")')), ' world');
  // The text after the cursor is trimmed before comparing; the completion's trailing space goes too.
  assert.equal(postProcess(' x }  ', ctx('  const o = {', ' }')), ' x');
  // A completion that does not repeat the text after the cursor is kept whole.
  assert.equal(postProcess('a, b', ctx('  foo(', ')')), 'a, b');
  assert.equal(postProcess('a) + g(b', ctx('  f(', ')')), 'a) + g(b');
  // A multi-line completion is not trimmed (the closer is at the end of the last line, not this one).
  assert.equal(postProcess('\n  a,\n  b)', ctx('  foo(', ')', { lineMode: 'multiLine' })), '\n  a,\n  b)');
  // A completion that only repeats the closer is none, and the trace names the filter.
  assert.deepEqual(postProcessTraced(')', ctx('  foo(', ')')), {
    text: '',
    emptiedBy: { name: 'dropLineSuffixOverlap', why: 'it only repeated the text after the cursor' },
  });
});

test('the traced pipeline names the filter that emptied a completion, and none for a kept or blank one', () => {
  const ctx = { linePrefix: '  ', lineSuffix: '', linesBelow: ['  return b;', '}'], lineMode: 'auto' as const, maxLines: 8 };
  assert.deepEqual(postProcessTraced('return b;', ctx), {
    text: '',
    emptiedBy: { name: 'dropRepeatedSuffix', why: 'it only repeated the code below the cursor' },
  });
  assert.equal(postProcessTraced('let a = 1;', ctx).emptiedBy, undefined);
  assert.deepEqual(postProcessTraced('  \n ', ctx), { text: '' });
  assert.equal(postProcessTraced('\nfoo()', { ...ctx, linePrefix: 'x = ', lineSuffix: '' }).emptiedBy?.name, 'limitToOneLine');
});
