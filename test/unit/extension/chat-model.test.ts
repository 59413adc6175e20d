import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatModel } from '../../../extension/chat-model';
import type { TokenscopeConfig } from '../../../extension/config';
import type { ModelRuntime, RuntimeState } from '../../../model-runtime/runtime';

/** A runtime that records what it was asked and answers with its own name. */
function fakeRuntime(name: string, log: string[]) {
  const listeners: ((s: RuntimeState) => void)[] = [];
  return {
    start: async (spec: { modelDir: string }) => {
      log.push(`${name} start ${spec.modelDir}`);
      for (const l of listeners) l({ kind: 'loading', modelDir: spec.modelDir });
      return {};
    },
    dispose: () => log.push(`${name} dispose`),
    onDidChangeState: (l: (s: RuntimeState) => void) => listeners.push(l),
    model: () => ({ name }),
    generate: async () => ({ text: name }),
  } as unknown as ModelRuntime;
}

const cfg = (over: Partial<TokenscopeConfig>) => ({ backend: 'local', chatModelPath: '', threads: 0, ...over }) as TokenscopeConfig;

test('the chat shares the completion model until chat.modelPath names one; then it has its own worker, and back', async () => {
  const log: string[] = [];
  const states: (string | undefined)[] = [];
  let made = 0;
  const chat = new ChatModel(
    fakeRuntime('shared', log),
    () => fakeRuntime(`own${++made}`, log),
    (s) => states.push(s?.kind),
  );
  await chat.apply(cfg({}), undefined);
  assert.equal(chat.model()?.name, 'shared');
  await chat.apply(cfg({ chatModelPath: '/models/instruct' }), undefined);
  assert.ok(chat.separate);
  assert.equal(((await chat.generate({} as never)) as { text: string }).text, 'own1');
  await chat.apply(cfg({ chatModelPath: '/models/instruct' }), undefined); // unchanged: no reload
  await chat.apply(cfg({ chatModelPath: '/models/other' }), undefined); // another folder: the same worker loads it
  await chat.apply(cfg({ chatModelPath: '/models/other', backend: 'remote' }), undefined); // a remote backend serves both jobs
  assert.equal(chat.separate, false);
  assert.equal(chat.model()?.name, 'shared');
  assert.deepEqual(log, ['own1 start /models/instruct', 'own1 start /models/other', 'own1 dispose']);
  assert.deepEqual(states, [undefined, 'loading', 'loading', undefined]);
});
