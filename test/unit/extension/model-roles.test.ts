import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatWarning, completionWarning, looksInstruct } from '../../../extension/model-roles';
import type { ModelInfo } from '../../../model-runtime/protocol';

const model = (name: string, architecture = 'qwen2') => ({ name, architecture }) as ModelInfo;

test('instruct models are told apart from base models by their names', () => {
  for (const n of [
    'Qwen2.5-Coder-0.5B-Instruct',
    'SmolLM2-135M-Instruct',
    'deepseek-coder-1.3b-instruct',
    'gemma-2b-it',
    'Llama-2-7b-chat',
  ])
    assert.ok(looksInstruct(n), n);
  for (const n of ['Qwen2.5-Coder-0.5B', 'SmolLM2-360M', 'tokenscope-code', 'deepseek-coder-1.3b-base', 'starcoder2-3b', 'bit-model'])
    assert.ok(!looksInstruct(n), n);
});

test('a model for the wrong job gets a warning with the fix; the right one, or a remote one, none', () => {
  assert.match(
    completionWarning(model('Qwen2.5-Coder-0.5B-Instruct'))!,
    /base model.*tokenscope\.model\.path.*tokenscope\.chat\.modelPath/,
  );
  assert.equal(completionWarning(model('Qwen2.5-Coder-0.5B')), undefined);
  assert.equal(completionWarning(model('x-instruct (vllm)', 'remote')), undefined);
  assert.match(chatWarning(model('tokenscope-code', 'llama'), false)!, /no chat template.*tokenscope\.chat\.modelPath/);
  assert.equal(chatWarning(model('SmolLM2-135M-Instruct'), true), undefined);
});
