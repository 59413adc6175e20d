import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../../../extension/csp';

test('the webview CSP denies by default and allows scripts only with the nonce', () => {
  const csp = contentSecurityPolicy('https://src.example', 'abc123');
  const rules = Object.fromEntries(
    csp
      .split(';')
      .map((r) => r.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(rules['default-src'], ["'none'"]);
  assert.deepEqual(rules['script-src'], ["'nonce-abc123'"]);
  assert.deepEqual(rules['style-src'], ['https://src.example']);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
});
