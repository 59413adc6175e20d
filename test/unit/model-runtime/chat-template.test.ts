import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  chatFormatFor,
  chatPrompt,
  cleanReply,
  formatLabel,
  templateErrorMessage,
  templateFormat,
  transcriptFormat,
} from '../../../model-runtime/chat-template';

const msgs = [
  { role: 'user' as const, content: 'Hi' },
  { role: 'assistant' as const, content: 'Hello!' },
  { role: 'user' as const, content: 'Sum two numbers?' },
];

test('a base model gets a plain transcript ending with the assistant turn', () => {
  const f = transcriptFormat();
  const p = f.render(msgs);
  assert.match(p, /User: Hi\n\nAssistant: Hello!\n\nUser: Sum two numbers\?\n\nAssistant:$/);
  assert.ok(f.stop.includes('\nUser:'));
});

test('a chat_template is rendered with jinja, with the generation prompt', () => {
  const chatml =
    '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';
  const f = templateFormat({ chat_template: chatml, eos_token: { content: '<|im_end|>' } })!;
  assert.equal(f.render(msgs.slice(0, 1)), '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
  assert.deepEqual(f.stop, ['<|im_end|>']);
  assert.equal(templateFormat({}), undefined);
});

test('the template is read from the model folder, else the transcript is used', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-chat-'));
  assert.equal(chatFormatFor(dir).name, 'plain transcript');
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ chat_template: '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}', bos_token: '<s>' }),
  );
  const f = chatFormatFor(dir);
  assert.match(f.name, /chat template/);
  assert.equal(f.render(msgs.slice(0, 1)), '<s>[user]Hi');
  writeFileSync(join(dir, 'tokenizer_config.json'), '{ broken');
  assert.equal(chatFormatFor(dir).name, 'plain transcript');
});

test('a reply is cut at the first stop sequence', () => {
  assert.equal(cleanReply(' Sure: a + b\nUser: thanks', ['\nUser:']), 'Sure: a + b');
  assert.equal(cleanReply('x<|im_end|>junk', ['<|im_end|>']), 'x');
});

test('without a chat template the chat says plainly it is a base model and what to pick instead', () => {
  const label = formatLabel(transcriptFormat(), 'tokenscope-code');
  assert.match(label, /^plain transcript: tokenscope-code has no chat template \(it is a base model\)/);
  assert.match(label, /choose an instruct model whose tokenizer_config\.json has a chat_template/);
  const chatml = templateFormat({ chat_template: '{{ messages[0].content }}' })!;
  assert.equal(formatLabel(chatml, 'x'), 'chat template (tokenizer_config.json)');
  // A template that cannot be parsed: the transcript, and the label says why instead of "base model".
  const dir = mkdtempSync(join(tmpdir(), 'ts-chat-'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: '{% for m in messages %}' }));
  const broken = chatFormatFor(dir);
  assert.equal(broken.hasTemplate, false);
  assert.match(formatLabel(broken), /chat template could not be read \(.+\), so it continues/);
});

test('a template that raises is an error the chat can show', () => {
  const strict = templateFormat({
    chat_template: "{% if messages[0].role != 'system' %}{{ raise_exception('Conversation must start with a system message') }}{% endif %}",
  })!;
  let caught: unknown;
  try {
    strict.render(msgs);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, 'the template raised');
  assert.match(templateErrorMessage(caught), /chat template failed on this conversation: .*must start with a system message/);
});

test('chatPrompt: a remote engine gets the messages (its server templates them); a folder gets its template rendered, with its stops', () => {
  const turns = [{ role: 'user' as const, content: 'hi' }];
  assert.deepEqual(chatPrompt({ dir: 'http://127.0.0.1:8080', architecture: 'remote' }, turns), { prompt: { chat: turns }, stop: [] });
  const dir = mkdtempSync(join(tmpdir(), 'chat-prompt-'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: '{{ messages[0].content }}!', eos_token: '</s>' }));
  assert.deepEqual(chatPrompt({ dir, architecture: 'llama' }, turns), { prompt: { text: 'hi!' }, stop: ['</s>'] });
  // No model yet: the transcript.
  assert.equal(chatPrompt(undefined, turns).prompt.text, transcriptFormat().render(turns));
});
