// The worker's protocol, fuzzed with fast-check: batches of valid messages of every type, the same with one
// field replaced by an arbitrary JSON value, removed or retyped, and arbitrary JSON values as messages. After
// each batch the worker must answer a heartbeat, every message with a usable id must get exactly one final
// answer, and the process must still be running.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { FIXTURES, fixtureNames } from '../unit/model-runtime/fixtures';
import { RawWorker } from '../unit/model-runtime/raw-worker';
import { seedOf } from './seeded';

type Msg = Record<string, unknown>;
const TYPES = ['load', 'generate', 'resample', 'tokenize', 'score', 'cancel', 'memory'];

const priority = fc.constantFrom('interactive', 'normal', 'background');
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }));
const sampling = fc.record(
  {
    temperature: fc.constantFrom(0, 0.5, 1, 2),
    topK: fc.constantFrom(0, 1, 5, 50),
    topP: fc.constantFrom(0, 0.5, 1),
    minP: fc.constantFrom(0, 0.1),
    repetitionPenalty: fc.constantFrom(1, 1.3),
    presencePenalty: fc.constantFrom(0, 1),
    frequencyPenalty: fc.constantFrom(0, 1),
    seed: fc.nat(1000),
    maxTokens: fc.integer({ min: 1, max: 12 }),
    stop: fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  },
  { requiredKeys: ['temperature', 'topK', 'topP', 'minP', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty'] },
);
const prompt = fc.oneof(
  fc.record({ text }),
  fc.record({ fim: fc.record({ prefix: text, suffix: text }, { requiredKeys: ['prefix', 'suffix'] }) }),
  fc.record({ tokens: fc.array(fc.nat(515), { maxLength: 16 }) }),
);

/** A well-formed message of each type (ids come later); a load is rare, it costs a session. */
const valid: fc.Arbitrary<Msg> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('load'),
      modelDir: fc.constantFrom(...fixtureNames().map((n) => join(FIXTURES, n))),
      providers: fc.constant(['cpu']),
      threads: fc.constant(1),
    }),
  },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('generate'), priority, prompt, sampling, topN: fc.nat(5) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('generate'),
      priority,
      prompt: fc.constant({}),
      sampling,
      topN: fc.nat(5),
      branch: fc.record({ generationId: fc.nat(40), step: fc.nat(12), forcedToken: fc.nat(515) }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('resample'), generationId: fc.nat(40), step: fc.nat(12), sampling, topN: fc.nat(5) }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('tokenize'), text }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('score'), text, topN: fc.nat(5), priority }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel') }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('memory') }) },
);

/** Every path to a value inside a message (nested objects and lists included). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) return [at];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return [at, ...keys.flatMap((k) => paths((v as Record<string | number, unknown>)[k], [...at, k]))];
}

/** One change at one path: replaced by an arbitrary JSON value, removed, or the type swapped. */
function mutate(m: Msg, pick: number, how: 'replace' | 'remove' | 'retype', value: unknown): unknown {
  const copy = structuredClone(m);
  if (how === 'retype') return { ...copy, type: typeof value === 'string' ? value : TYPES[pick % TYPES.length] };
  const all = paths(copy);
  const path = all[pick % all.length];
  if (path.length === 0) return value; // the whole message
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  if (how === 'remove') delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = value;
  return copy;
}

const mutated = fc
  .tuple(
    valid,
    fc.nat(),
    fc.constantFrom('replace', 'remove', 'retype') as fc.Arbitrary<'replace' | 'remove' | 'retype'>,
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map(([m, pick, how, value]) => mutate(m, pick, how, value));
/** How a message gets its id: fresh, an earlier one (cancels aim at those), a junk value, or none. */
const idMode = fc.constantFrom('fresh', 'fresh', 'fresh', 'earlier', 'junk', 'none');
const item = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
  idMode,
  fc.jsonValue({ maxDepth: 1 }),
  fc.nat(),
);

const isObject = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);

test('a fuzzed request stream: the worker never crashes or hangs, each request gets exactly one final answer', {
  timeout: 600_000,
}, async () => {
  const seed = seedOf(4242);
  const w = new RawWorker();
  const sent: number[] = [];
  let expected = 0;
  try {
    assert.equal(
      (await w.request({ type: 'load', modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], threads: 1 })).type,
      'loaded',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 10 }), async (batch) => {
        const answered: number[] = [];
        for (const [raw, mode, junk, n] of batch) {
          const msg = isObject(raw) ? { ...raw } : raw;
          if (isObject(msg)) {
            // Never a shutdown: the worker would exit as asked.
            if (msg.type === 'shutdown') msg.type = 'memory';
            const earlier = sent.length ? sent[n % sent.length] : -1;
            if (mode === 'fresh' || (mode === 'earlier' && msg.type !== 'cancel')) msg.id = w.id();
            else if (mode === 'earlier') msg.id = earlier;
            else if (mode === 'junk') msg.id = Number.isSafeInteger(junk) ? String(junk) : junk;
            else delete msg.id;
            if (Number.isSafeInteger(msg.id) && msg.type !== 'cancel') {
              sent.push(msg.id as number);
              answered.push(msg.id as number);
            }
          }
          w.send(msg);
        }
        expected += answered.length + 1;
        assert.equal((await w.request({ type: 'memory' })).type, 'memory', 'the heartbeat');
        await Promise.all(answered.map((id) => w.answer(id)));
        return w.exit === undefined;
      }),
      { seed, numRuns: 250, endOnFailure: true },
    );
    // One answer each, and none to a message without a usable id (the load included).
    assert.equal(w.finals.size, expected + 1);
    for (const [id, list] of w.finals) assert.equal(list.length, 1, `request ${id}: ${list.map((m) => m.type).join(', ')}`);
    // Specific errors only: nothing the fuzzer sends may surface as a raw internal error.
    const internal = [...w.finals.values()].flat().filter((m) => m.type === 'error' && m.code === 'internal');
    assert.deepEqual(internal, []);
    console.log(
      `seed ${seed}: ${w.finals.size} requests answered once each; ${w.logs.filter((l) => l.startsWith('ignored')).length} malformed messages logged`,
    );
  } finally {
    w.kill();
  }
});
