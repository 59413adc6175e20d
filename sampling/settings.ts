// The one table of sampling settings: default, valid range, the inspector's slider, label, help, the VS Code
// setting's description and the value that turns each processor off. The VS Code settings (extension/config.ts,
// package.json), the inspector's controls (webview/shared/controls.ts), the sampler's neutral settings and
// every processor's validation read it from here. Pure: no vscode, no Node, no DOM.

/** Decoding controls. Each one is shown and explained in the inspector. */
export interface SamplingSettings {
  /** 0 means greedy. */
  temperature: number;
  /** 0 disables. */
  topK: number;
  /** 1 disables. */
  topP: number;
  /** 0 disables; relative to the top token's probability. */
  minP: number;
  /** 1 disables (CTRL-style: divides positive logits, multiplies negative ones). All three penalties count
   * the tokens generated so far (not the prompt: code repeats its identifiers on purpose). */
  repetitionPenalty: number;
  /** 0 disables; subtracted once from every token already generated. */
  presencePenalty: number;
  /** 0 disables; subtracted once per occurrence. */
  frequencyPenalty: number;
  /** Same seed, same settings, same prompt: same output. Undefined draws a fresh seed. */
  seed?: number;
  maxTokens: number;
  stop: string[];
}

/** What the processors read: the settings less seed, max tokens and stop sequences. */
export type SamplerSettings = Pick<
  SamplingSettings,
  'temperature' | 'topK' | 'topP' | 'minP' | 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty'
>;

/** The processors that can remove a token from the candidate set ('greedy': temperature 0 keeps only the top one). */
export type Cutter = 'top-k' | 'top-p' | 'min-p' | 'greedy';

export type SettingKey = Exclude<keyof SamplingSettings, 'stop'>;

export interface SettingSpec {
  readonly key: SettingKey;
  readonly label: string;
  /** The inspector's help line. */
  readonly help: string;
  /** The VS Code setting's description (package.json); absent for the inspector-only max tokens. */
  readonly description?: string;
  /** Undefined only for the seed: no seed draws a fresh one. */
  readonly default: number | undefined;
  /** Valid range: a typed value is clamped to it, anything outside it is refused. */
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** The inspector's slider, which may stop short of the valid range. */
  readonly slider: { readonly min: number; readonly max: number; readonly step: number };
  /** The value that turns the processor off (seed and max tokens are no processors). */
  readonly off?: number;
}

/** In pipeline order, then seed and max tokens. */
export const SAMPLING = {
  temperature: {
    key: 'temperature',
    label: 'Temperature',
    help: 'Divides the logits: below 1 sharpens, above 1 flattens; 0 is greedy.',
    description: 'Temperature for chat and for the extra completion candidates (0: greedy).',
    default: 0.7,
    min: 0,
    max: 5,
    integer: false,
    slider: { min: 0, max: 2, step: 0.05 },
    off: 1,
  },
  topK: {
    key: 'topK',
    label: 'Top-k',
    help: 'Keeps only the k most likely tokens; 0 disables.',
    description: 'Keep only the K most likely tokens (0: off).',
    default: 40,
    min: 0,
    max: 100000,
    integer: true,
    slider: { min: 0, max: 200, step: 1 },
    off: 0,
  },
  topP: {
    key: 'topP',
    label: 'Top-p',
    help: 'Keeps the smallest set whose probability reaches p; 1 disables.',
    description: 'Nucleus sampling: keep the smallest set of tokens whose probability adds up to P (1: off).',
    default: 0.95,
    min: 0,
    max: 1,
    integer: false,
    slider: { min: 0.05, max: 1, step: 0.01 },
    off: 1,
  },
  minP: {
    key: 'minP',
    label: 'Min-p',
    help: "Drops tokens below this fraction of the top token's probability; 0 disables.",
    description: 'Drop tokens less likely than this fraction of the top token (0: off).',
    default: 0.05,
    min: 0,
    max: 1,
    integer: false,
    slider: { min: 0, max: 0.5, step: 0.01 },
    off: 0,
  },
  repetitionPenalty: {
    key: 'repetitionPenalty',
    label: 'Repetition penalty',
    help: 'Pushes down tokens already generated; 1 disables.',
    description: 'Penalty for tokens already generated (1: off).',
    default: 1.1,
    min: 1,
    max: 5,
    integer: false,
    slider: { min: 1, max: 2, step: 0.01 },
    off: 1,
  },
  presencePenalty: {
    key: 'presencePenalty',
    label: 'Presence penalty',
    help: 'Subtracted once from every token already generated; 0 disables.',
    description: 'Subtracted once from the logit of every token already generated (0: off).',
    default: 0,
    min: 0,
    max: 5,
    integer: false,
    slider: { min: 0, max: 2, step: 0.05 },
    off: 0,
  },
  frequencyPenalty: {
    key: 'frequencyPenalty',
    label: 'Frequency penalty',
    help: 'Subtracted once per earlier occurrence; 0 disables.',
    description: "Subtracted from a token's logit once per earlier occurrence (0: off).",
    default: 0,
    min: 0,
    max: 5,
    integer: false,
    slider: { min: 0, max: 2, step: 0.05 },
    off: 0,
  },
  maxTokens: {
    key: 'maxTokens',
    label: 'Max tokens',
    help: 'How many tokens to generate at most.',
    default: 256,
    min: 1,
    max: 512,
    integer: true,
    slider: { min: 1, max: 512, step: 1 },
  },
  seed: {
    key: 'seed',
    label: 'Seed',
    help: 'Same seed, settings and prompt give the same output; empty draws a fresh seed.',
    description: 'Random seed; the same seed, settings and prompt give the same output (-1: a fresh seed each time).',
    default: undefined,
    min: 0,
    max: 2 ** 31 - 1,
    integer: true,
    slider: { min: 0, max: 2 ** 31 - 1, step: 1 },
  },
} as const satisfies { [K in SettingKey]: SettingSpec & { readonly key: K } };

/** The table as a list, in its order. */
export const SAMPLING_TABLE: readonly SettingSpec[] = Object.values(SAMPLING);

/** How the VS Code setting spells "no seed" (a setting cannot be undefined). */
export const NO_SEED = -1;

/** The settings' defaults (no stop sequences). */
export const SAMPLING_DEFAULTS: SamplingSettings = {
  temperature: SAMPLING.temperature.default,
  topK: SAMPLING.topK.default,
  topP: SAMPLING.topP.default,
  minP: SAMPLING.minP.default,
  repetitionPenalty: SAMPLING.repetitionPenalty.default,
  presencePenalty: SAMPLING.presencePenalty.default,
  frequencyPenalty: SAMPLING.frequencyPenalty.default,
  seed: SAMPLING.seed.default,
  maxTokens: SAMPLING.maxTokens.default,
  stop: [],
};

/** Every processor off: temperature 1 scales nothing, no cutter, no penalty. */
export const SAMPLING_OFF = {
  temperature: SAMPLING.temperature.off,
  topK: SAMPLING.topK.off,
  topP: SAMPLING.topP.off,
  minP: SAMPLING.minP.off,
  repetitionPenalty: SAMPLING.repetitionPenalty.off,
  presencePenalty: SAMPLING.presencePenalty.off,
  frequencyPenalty: SAMPLING.frequencyPenalty.off,
} as const;

/** Why `value` is not a valid `key`, or undefined when it is. Undefined values pass (a missing field is no range error). */
export function settingProblem(key: SettingKey, value: number | undefined): string | undefined {
  if (value === undefined && key === 'seed') return undefined;
  const s: SettingSpec = SAMPLING[key];
  if (typeof value !== 'number' || Number.isNaN(value)) return `${key} ${value} is not a number`;
  if (!(value >= s.min && value <= s.max)) return `${key} ${value} is outside ${s.min}..${s.max}`;
  if (s.integer && !Number.isInteger(value)) return `${key} ${value} is not a whole number`;
  return undefined;
}

/** Throws a RangeError naming the setting and its valid range. */
export function checkSetting(key: SettingKey, value: number | undefined): void {
  const problem = settingProblem(key, value);
  if (problem) throw new RangeError(`Invalid sampling setting: ${problem}.`);
}

/** Checks every table field present in `s` (the worker's guard on a request); throws one RangeError listing each problem. */
export function validateSampling(s: Partial<SamplingSettings>): void {
  const problems: string[] = [];
  for (const { key } of SAMPLING_TABLE) {
    if (!(key in s)) continue;
    const problem = settingProblem(key, s[key]);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new RangeError(`Invalid sampling settings: ${problems.join('; ')}.`);
}
