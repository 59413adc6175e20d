// `npm run bench:sampler`: the sampler's cost per decode step on a 50k vocabulary, the processor-list
// sampler (sampling/sampler.ts) against the pre-refactor one kept in bench/sampler-baseline.ts. The two run
// interleaved, round by round and in alternating order, so machine noise hits both; medians per call.
//   --rounds N (default 15)   --calls N per round and sampler (default 40)
import { sample as baseline } from './sampler-baseline';
import { sample, type SamplerSettings, uniformDraw } from '../sampling/sampler';
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

type Sampler = typeof baseline;

/** Milliseconds per call over `CALLS` steps; the picks, to check both samplers agree. */
function time(f: Sampler, logits: Float32Array[], s: SamplerSettings, history: number[], round: number, picks: number[]): number {
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) picks.push(f(logits[i % logits.length], s, history, uniformDraw(round, i), 20).id);
  return (performance.now() - t0) / CALLS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function run(c: (typeof CASES)[number]): void {
  const logits = Array.from({ length: 8 }, (_, i) => realisticLogits(i + 1));
  const history = Array.from({ length: c.history }, (_, i) => Math.floor(uniformDraw(99, i) * V));
  const ms = { new: [] as number[], old: [] as number[] };
  const picks = { new: [] as number[], old: [] as number[] };
  for (let r = -2; r < ROUNDS; r++) {
    // Two warm-up rounds; then the order alternates so neither sampler always runs second.
    const order = r % 2 === 0 ? (['new', 'old'] as const) : (['old', 'new'] as const);
    for (const which of order) {
      const t = time(which === 'new' ? sample : baseline, logits, c.s, history, r, r < 0 ? [] : picks[which]);
      if (r >= 0) ms[which].push(t);
    }
  }
  const same = picks.new.filter((id, i) => id === picks.old[i]).length;
  const n = median(ms.new);
  const o = median(ms.old);
  console.log(
    `${c.name.padEnd(52)} new ${n.toFixed(3)} ms  baseline ${o.toFixed(3)} ms  new/baseline ${(n / o).toFixed(2)}  same picks ${same}/${picks.new.length}`,
  );
}

console.log(`sampler micro-benchmark: V=${V}, ${ROUNDS} rounds x ${CALLS} calls per sampler, medians per call`);
for (const c of CASES) run(c);
