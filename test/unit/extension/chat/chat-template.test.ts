import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chatFormatFor, cleanReply, templateFormat, transcriptFormat } from '../../../../extension/chat/chat-template';

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
