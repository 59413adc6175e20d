// Every Tokenscope setting, typed, with its default and its valid range, read in one place.
// Pure: reads through a small SettingSource so unit tests need no vscode (extension/settings.ts adapts
// vscode.workspace.getConfiguration). package.json's contributes.configuration must match (a unit test checks).
// The sampling.* entries come from the one sampling table (sampling/settings.ts).
import { FIM_FAMILIES } from '../model-runtime/fim-families';
import { REMOTE_FLAVOURS, type RemoteFlavour } from '../model-runtime/remote/types';
import { NO_SEED, SAMPLING, type SamplingSettings } from '../sampling/settings';

export const SECTION = 'tokenscope';

export type ExecutionProvider = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
export type LineMode = 'auto' | 'singleLine' | 'multiLine';

export interface CompletionConfig {
  /** Completions appear while typing; when false only the trigger command asks for one. */
  autoTrigger: boolean;
  maxTokens: number;
  lineMode: LineMode;
  maxLines: number;
  debounceMs: number;
  /** Candidates asked for when the user cycles (Alt+]) or triggers by hand; automatic requests ask for one. */
  candidates: number;
  /** Temperature for the first candidate; extra candidates use the sampling temperature (or its default if 0). */
  temperature: number;
  /** Send the code after the cursor too (fill-in-the-middle), when the model has FIM tokens. */
  fillInTheMiddle: boolean;
  /** Language ids with no automatic completions (Complete Here still asks). */
  disabledLanguages: string[];
}

export interface ContextConfig {
  /** Prompt budget in tokens: prefix, suffix and extra chunks together. */
  budgetTokens: number;
  /** Share of the budget the suffix may take (the rest, and anything it leaves, goes to the prefix). */
  suffixShare: number;
  extraChunks: boolean;
  /** Share of the budget the extra chunks may take. */
  extraShare: number;
  chunkLines: number;
  maxChunks: number;
}

/** A remote OpenAI-compatible server (model.backend 'remote'); its API key lives in SecretStorage. */
export interface RemoteConfig {
  baseUrl: string;
  flavour: RemoteFlavour;
  model: string;
  timeoutMs: number;
  /** '' lets the model name pick the FIM family. */
  fimFamily: string;
}

export interface TokenscopeConfig {
  /** 'local': the worker runs a model folder; 'remote': it talks to the server in `remote`. */
  backend: 'local' | 'remote';
  /** Absolute model folder, or '' for the bundled default model. */
  modelPath: string;
  /** The chat's own model folder (an instruct model beside a base model for completion); '' shares the completion model. */
  chatModelPath: string;
  /** Fill-in-the-middle tokens of this family instead of the ones found in the tokenizer ('' = detect). */
  fimFamily: string;
  remote: RemoteConfig;
  /** Tokenscope's own OpenAI-compatible server (Tokenscope: Start Server). */
  server: { host: string; port: number };
  /** The Hugging Face hub to download models from ('' = HF_ENDPOINT or huggingface.co). */
  hub: { endpoint: string };
  /** The npm registry a llama.cpp build too large for the VSIX (CUDA) is fetched from, on request ('' = npm's). */
  gguf: { npmRegistry: string };
  executionProvider: ExecutionProvider;
  threads: number;
  sampling: Omit<SamplingSettings, 'maxTokens' | 'stop'>;
  completion: CompletionConfig;
  context: ContextConfig;
}

/** How settings are read: `get` honours every scope; `userValue` reads only the global (user) value. */
export interface SettingSource {
  get(key: string): unknown;
  userValue(key: string): unknown;
}

type NumberSpec = { kind: 'number'; def: number; min: number; max: number; integer?: boolean };
type Spec =
  | NumberSpec
  | { kind: 'boolean'; def: boolean }
  | { kind: 'string'; def: string }
  | { kind: 'strings'; def: readonly string[] }
  | { kind: 'enum'; def: string; values: readonly string[] };

type TableKey = Exclude<keyof typeof SAMPLING, 'seed' | 'maxTokens'>;

/** A sampling setting as the table defines it. */
function sampling(key: TableKey): NumberSpec {
  const t = SAMPLING[key];
  return { kind: 'number', def: t.default, min: t.min, max: t.max, integer: t.integer };
}

/** Key (under `tokenscope.`) -> spec. package.json lists the same keys; a unit test checks they agree. */
export const SETTINGS = {
  'model.backend': { kind: 'enum', def: 'local', values: ['local', 'remote'] },
  'model.path': { kind: 'string', def: '' },
  'chat.modelPath': { kind: 'string', def: '' },
  'model.fimFamily': { kind: 'enum', def: '', values: ['', ...FIM_FAMILIES.map((f) => f.name)] },
  'remote.baseUrl': { kind: 'string', def: '' },
  'remote.flavour': { kind: 'enum', def: 'openai', values: REMOTE_FLAVOURS },
  'remote.model': { kind: 'string', def: '' },
  'remote.timeoutMs': { kind: 'number', def: 30000, min: 1000, max: 600000, integer: true },
  'remote.fimFamily': { kind: 'enum', def: '', values: ['', ...FIM_FAMILIES.map((f) => f.name)] },
  'server.host': { kind: 'string', def: '127.0.0.1' },
  'server.port': { kind: 'number', def: 8080, min: 0, max: 65535, integer: true },
  'hub.endpoint': { kind: 'string', def: '' },
  'gguf.npmRegistry': { kind: 'string', def: '' },
  'model.executionProvider': { kind: 'enum', def: 'auto', values: ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'] },
  'model.threads': { kind: 'number', def: 0, min: 0, max: 64, integer: true },
  'sampling.temperature': sampling('temperature'),
  'sampling.topK': sampling('topK'),
  'sampling.topP': sampling('topP'),
  'sampling.minP': sampling('minP'),
  'sampling.repetitionPenalty': sampling('repetitionPenalty'),
  'sampling.presencePenalty': sampling('presencePenalty'),
  'sampling.frequencyPenalty': sampling('frequencyPenalty'),
  // The table's seed is undefined for a fresh one; a setting spells that NO_SEED.
  'sampling.seed': { kind: 'number', def: NO_SEED, min: NO_SEED, max: SAMPLING.seed.max, integer: true },
  'completion.autoTrigger': { kind: 'boolean', def: true },
  'completion.maxTokens': { kind: 'number', def: 48, min: 1, max: 512, integer: true },
  'completion.lineMode': { kind: 'enum', def: 'auto', values: ['auto', 'singleLine', 'multiLine'] },
  'completion.maxLines': { kind: 'number', def: 8, min: 1, max: 100, integer: true },
  'completion.debounceMs': { kind: 'number', def: 40, min: 0, max: 2000, integer: true },
  'completion.candidates': { kind: 'number', def: 3, min: 1, max: 8, integer: true },
  'completion.temperature': { kind: 'number', def: 0, min: 0, max: 5 },
  'completion.fillInTheMiddle': { kind: 'boolean', def: true }, // in SPM order the bundled model is at least as good (model card)
  'completion.disabledLanguages': { kind: 'strings', def: [] },
  'context.budgetTokens': { kind: 'number', def: 512, min: 32, max: 32768, integer: true },
  'context.suffixShare': { kind: 'number', def: 0.25, min: 0, max: 0.9 },
  'context.extraChunks': { kind: 'boolean', def: false },
  'context.extraShare': { kind: 'number', def: 0.3, min: 0, max: 0.8 },
  'context.chunkLines': { kind: 'number', def: 24, min: 4, max: 200, integer: true },
  'context.maxChunks': { kind: 'number', def: 16, min: 1, max: 128, integer: true },
} as const satisfies Record<string, Spec>;

export type SettingKey = keyof typeof SETTINGS;

/**
 * Settings a workspace may not set in Restricted Mode: a model is code-like input, and a workspace that picks
 * the server would choose where the user's code is sent.
 */
export const RESTRICTED_SETTINGS: readonly SettingKey[] = [
  'model.path',
  'chat.modelPath',
  'model.backend',
  'remote.baseUrl',
  'server.host',
  'hub.endpoint',
  'gguf.npmRegistry',
];

export interface ReadResult {
  config: TokenscopeConfig;
  /** One line per setting that was ignored, saying why and which default was used instead. */
  warnings: string[];
}

function validate(key: string, spec: Spec, raw: unknown, warnings: string[]): unknown {
  if (raw === undefined || raw === null) return spec.def;
  const bad = (why: string) => {
    warnings.push(`tokenscope.${key}: ${JSON.stringify(raw)} ${why}; using the default ${JSON.stringify(spec.def)}.`);
    return spec.def;
  };
  switch (spec.kind) {
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return bad('is not a number');
      if (raw < spec.min || raw > spec.max) return bad(`is outside ${spec.min}..${spec.max}`);
      if (spec.integer && !Number.isInteger(raw)) return bad('is not a whole number');
      return raw;
    case 'boolean':
      return typeof raw === 'boolean' ? raw : bad('is not true or false');
    case 'string':
      return typeof raw === 'string' ? raw : bad('is not a string');
    case 'strings':
      return Array.isArray(raw) && raw.every((x) => typeof x === 'string') ? raw : bad('is not a list of strings');
    case 'enum':
      return typeof raw === 'string' && spec.values.includes(raw) ? raw : bad(`is not one of ${spec.values.join(', ')}`);
  }
}

/** Reads and validates every setting. `trusted` false: restricted settings come from user settings only. */
export function readConfig(source: SettingSource, trusted: boolean): ReadResult {
  const warnings: string[] = [];
  const v = <K extends SettingKey>(key: K): any => {
    const restricted = !trusted && RESTRICTED_SETTINGS.includes(key);
    const raw = restricted ? source.userValue(key) : source.get(key);
    return validate(key, SETTINGS[key] as Spec, raw, warnings);
  };
  const seed = v('sampling.seed') as number;
  const config: TokenscopeConfig = {
    backend: v('model.backend'),
    modelPath: (v('model.path') as string).trim(),
    chatModelPath: (v('chat.modelPath') as string).trim(),
    fimFamily: v('model.fimFamily'),
    remote: {
      baseUrl: (v('remote.baseUrl') as string).trim(),
      flavour: v('remote.flavour'),
      model: (v('remote.model') as string).trim(),
      timeoutMs: v('remote.timeoutMs'),
      fimFamily: v('remote.fimFamily'),
    },
    server: { host: (v('server.host') as string).trim() || '127.0.0.1', port: v('server.port') },
    hub: { endpoint: (v('hub.endpoint') as string).trim() },
    gguf: { npmRegistry: (v('gguf.npmRegistry') as string).trim() },
    executionProvider: v('model.executionProvider'),
    threads: v('model.threads'),
    sampling: {
      temperature: v('sampling.temperature'),
      topK: v('sampling.topK'),
      topP: v('sampling.topP'),
      minP: v('sampling.minP'),
      repetitionPenalty: v('sampling.repetitionPenalty'),
      presencePenalty: v('sampling.presencePenalty'),
      frequencyPenalty: v('sampling.frequencyPenalty'),
      seed: seed === NO_SEED ? undefined : seed,
    },
    completion: {
      autoTrigger: v('completion.autoTrigger'),
      maxTokens: v('completion.maxTokens'),
      lineMode: v('completion.lineMode'),
      maxLines: v('completion.maxLines'),
      debounceMs: v('completion.debounceMs'),
      candidates: v('completion.candidates'),
      temperature: v('completion.temperature'),
      fillInTheMiddle: v('completion.fillInTheMiddle'),
      disabledLanguages: v('completion.disabledLanguages'),
    },
    context: {
      budgetTokens: v('context.budgetTokens'),
      suffixShare: v('context.suffixShare'),
      extraChunks: v('context.extraChunks'),
      extraShare: v('context.extraShare'),
      chunkLines: v('context.chunkLines'),
      maxChunks: v('context.maxChunks'),
    },
  };
  return { config, warnings };
}

/** The providers the worker should try, in order, for a preference ('auto' lets the worker choose). */
export function providerList(pref: ExecutionProvider): string[] | undefined {
  return pref === 'auto' ? undefined : pref === 'cpu' ? ['cpu'] : [pref, 'cpu'];
}

/** Full sampling settings for one request. */
export function samplingFor(
  config: TokenscopeConfig,
  overrides: Partial<SamplingSettings> & Pick<SamplingSettings, 'maxTokens'>,
): SamplingSettings {
  return { ...config.sampling, stop: [], ...overrides };
}
