// `npm run bench:sampler`: the sampler's cost per decode step on a 50k vocabulary, next to its floor, one
// softmax pass over the vocabulary (every step must read every logit once). The two run interleaved, round by
// round and in alternating order, so machine noise hits both; medians per call.
// (At the refactor into processors, 2026-12-01, this bench compared the new sample() with the one it replaced:
// new/old 0.98-1.05 on greedy, the default settings and no cutter, same picks on every call.)
//   --rounds N (default 15)   --calls N per round (default 40)
import { sample, type SamplerSettings, softmaxStats, uniformDraw } from '../sampling/sampler';
import { SAMPLING_OFF } from '../sampling/settings';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const ROUNDS = opt('--rounds', 15);
const CALLS = opt('--calls', 40);
const V = 50257;

/** A language model's step, roughly: a Gaussian bulk far below a few dozen plausible tokens. */
function realisticLogits(seed: number): Float32Array {
  let k = 0;
  const u = () => uniformDraw(seed, k++);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const l = new Float32Array(V);
  for (let i = 0; i < V; i++) l[i] = -2 + 2.5 * gauss();
  for (let j = 0; j < 40; j++) l[Math.floor(u() * V)] = 8 + 4 * u() - j * 0.1;
  return l;
}

const CASES: { name: string; s: SamplerSettings; history: number }[] = [
  { name: 'greedy', s: { ...SAMPLING_OFF, temperature: 0 }, history: 0 },
  {
    name: 'defaults (T 0.7, k 40, p 0.95, min-p 0.05, rep 1.1)',
    s: { ...SAMPLING_OFF, temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1 },
    history: 32,
  },
  { name: 'no cutter (T 1)', s: { ...SAMPLING_OFF, temperature: 1 }, history: 0 },
];

/** Milliseconds per call over `CALLS` steps. */
function time(step: (logits: Float32Array, i: number) => unknown, logits: Float32Array[]): number {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) step(logits[i % logits.length], i);
  return (performance.now() - t0) / CALLS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function run(c: (typeof CASES)[number]): void {
  const logits = Array.from({ length: 8 }, (_, i) => realisticLogits(i + 1));
  const history = Array.from({ length: c.history }, (_, i) => Math.floor(uniformDraw(99, i) * V));
  const steps = {
    sample: (l: Float32Array, i: number) => sample(l, c.s, history, uniformDraw(7, i), 20),
    floor: (l: Float32Array) => softmaxStats(l),
  };
  const ms = { sample: [] as number[], floor: [] as number[] };
  for (let r = -2; r < ROUNDS; r++) {
    // Two warm-up rounds; then the order alternates so neither always runs second.
    const order = r % 2 === 0 ? (['sample', 'floor'] as const) : (['floor', 'sample'] as const);
    for (const which of order) {
      const t = time(steps[which], logits);
      if (r >= 0) ms[which].push(t);
    }
  }
  const s = median(ms.sample);
  const f = median(ms.floor);
  console.log(`${c.name.padEnd(52)} sample ${s.toFixed(3)} ms  one softmax pass ${f.toFixed(3)} ms  ratio ${(s / f).toFixed(2)}`);
}

console.log(`sampler micro-benchmark: V=${V}, ${ROUNDS} rounds x ${CALLS} calls each, medians per call`);
for (const c of CASES) run(c);
