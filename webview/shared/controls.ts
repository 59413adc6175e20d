// The sampling controls: label, range, step and help for each setting, and validation of a value a
// user typed. Pure: the inspector renders these as labelled slider + number pairs.
import type { SamplingSettings } from '../../model-runtime/protocol';

export type NumericKey = Exclude<keyof SamplingSettings, 'stop' | 'seed'>;

export interface ControlSpec {
  key: NumericKey | 'seed';
  label: string;
  min: number;
  max: number;
  step: number;
  help: string;
  /** Value that turns the processor off, shown in the help. */
  off?: number;
}

export const CONTROLS: ControlSpec[] = [
  {
    key: 'temperature',
    label: 'Temperature',
    min: 0,
    max: 2,
    step: 0.05,
    off: 1,
    help: 'Divides the logits: below 1 sharpens, above 1 flattens; 0 is greedy.',
  },
  { key: 'topK', label: 'Top-k', min: 0, max: 200, step: 1, off: 0, help: 'Keeps only the k most likely tokens; 0 disables.' },
  {
    key: 'topP',
    label: 'Top-p',
    min: 0.05,
    max: 1,
    step: 0.01,
    off: 1,
    help: 'Keeps the smallest set whose probability reaches p; 1 disables.',
  },
  {
    key: 'minP',
    label: 'Min-p',
    min: 0,
    max: 0.5,
    step: 0.01,
    off: 0,
    help: "Drops tokens below this fraction of the top token's probability; 0 disables.",
  },
  {
    key: 'repetitionPenalty',
    label: 'Repetition penalty',
    min: 1,
    max: 2,
    step: 0.01,
    off: 1,
    help: 'Pushes down tokens already generated; 1 disables.',
  },
  {
    key: 'presencePenalty',
    label: 'Presence penalty',
    min: 0,
    max: 2,
    step: 0.05,
    off: 0,
    help: 'Subtracted once from every token already generated; 0 disables.',
  },
  {
    key: 'frequencyPenalty',
    label: 'Frequency penalty',
    min: 0,
    max: 2,
    step: 0.05,
    off: 0,
    help: 'Subtracted once per earlier occurrence; 0 disables.',
  },
  { key: 'maxTokens', label: 'Max tokens', min: 1, max: 512, step: 1, help: 'How many tokens to generate at most.' },
  {
    key: 'seed',
    label: 'Seed',
    min: 0,
    max: 2 ** 31 - 1,
    step: 1,
    help: 'Same seed, settings and prompt give the same output; empty draws a fresh seed.',
  },
];

/** Parses and clamps a typed value; undefined when it is not a number (seed: empty means "fresh"). */
export function parseControl(spec: ControlSpec, raw: string): number | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) return undefined;
  const clamped = Math.min(spec.max, Math.max(spec.min, n));
  return spec.step >= 1 ? Math.round(clamped) : clamped;
}

export function withValue(s: SamplingSettings, key: ControlSpec['key'], value: number | undefined): SamplingSettings {
  if (key === 'seed') return { ...s, seed: value };
  if (value === undefined) return s;
  return { ...s, [key]: value };
}

/** The settings that change what a step's distribution looks like (max tokens and seed do not). */
export function sameDistribution(a: SamplingSettings, b: SamplingSettings): boolean {
  return (
    a.temperature === b.temperature &&
    a.topK === b.topK &&
    a.topP === b.topP &&
    a.minP === b.minP &&
    a.repetitionPenalty === b.repetitionPenalty &&
    a.presencePenalty === b.presencePenalty &&
    a.frequencyPenalty === b.frequencyPenalty
  );
}

export const FALLBACK_SAMPLING: SamplingSettings = {
  temperature: 0.7,
  topK: 40,
  topP: 0.95,
  minP: 0,
  repetitionPenalty: 1.1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  seed: undefined,
  maxTokens: 64,
  stop: [],
};
