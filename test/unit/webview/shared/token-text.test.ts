import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteHex, tokenLabel, visibleText } from '../../../../webview/shared/token-text';

test('whitespace and newlines become visible glyphs', () => {
  assert.equal(visibleText(' '), '·');
  assert.equal(visibleText('\t'), '→');
  assert.equal(visibleText('\n'), '↵');
  assert.equal(visibleText('\r\n'), '␍↵');
  assert.equal(visibleText('a b'), 'a·b');
  assert.equal(tokenLabel({ text: '  ' }).kind, 'space');
  assert.equal(tokenLabel({ text: '\n    ' }).kind, 'newline');
  assert.equal(tokenLabel({ text: '\n    ' }).label, '↵····');
});

test('control characters are shown in caret notation', () => {
  assert.equal(visibleText('\u0000\u001b'), '^@^[');
});

test('partial UTF-8 tokens show their bytes', () => {
  const l = tokenLabel({ text: '', bytes: [0xe2, 0x82], partial: true });
  assert.equal(l.kind, 'bytes');
  assert.equal(l.label, '<0xE2><0x82>');
  assert.equal(byteHex([0x0a]), '<0x0A>');
  assert.equal(tokenLabel({ text: '\ufffd', bytes: [0xc3] }).label, '<0xC3>');
});

test('an empty token is not blank', () => {
  assert.equal(tokenLabel({ text: '' }).label, '∅');
});

test('markup in a token is kept verbatim as text (escaping is the DOM textContent job)', () => {
  const l = tokenLabel({ text: '<img src=x onerror=alert(1)>' });
  assert.equal(l.kind, 'text');
  assert.equal(l.label, '<img·src=x·onerror=alert(1)>');
  assert.equal(l.description, '"<img src=x onerror=alert(1)>"');
});
