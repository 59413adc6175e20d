// The sampling controls: label, slider, valid range and help for each setting (all from the one table in
// sampling/settings.ts), and validation of a value a user typed. Pure: the inspector renders these as
// labelled slider + number pairs.
import { SAMPLING_DEFAULTS, SAMPLING_TABLE, type SamplingSettings, type SettingKey, type SettingSpec } from '../../sampling/settings';

export type NumericKey = Exclude<SettingKey, 'seed'>;

export interface ControlSpec {
  key: SettingKey;
  label: string;
  /** The slider's range and step. */
  min: number;
  max: number;
  step: number;
  /** The valid range: a typed value is clamped to it, past where the slider stops. */
  valid: { min: number; max: number; integer: boolean };
  help: string;
  /** Value that turns the processor off, shown in the help. */
  off?: number;
}

function control(s: SettingSpec): ControlSpec {
  const { key, label, help, off, slider } = s;
  return { key, label, ...slider, valid: { min: s.min, max: s.max, integer: s.integer }, help, off };
}

/** In the table's order: the processors in pipeline order, then max tokens and seed. */
export const CONTROLS: ControlSpec[] = SAMPLING_TABLE.map(control);

/** Parses and clamps a typed value; undefined when it is not a number (seed: empty means "fresh"). */
export function parseControl(spec: ControlSpec, raw: string): number | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) return undefined;
  const clamped = Math.min(spec.valid.max, Math.max(spec.valid.min, n));
  return spec.valid.integer ? Math.round(clamped) : clamped;
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
