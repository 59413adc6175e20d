// The worker's boundary: every message from the host is checked here before anything acts on it, so a
// malformed request gets a 'bad-request' error naming the field instead of a JavaScript or onnxruntime error
// from deep inside (or a crash). What cannot be answered (not an object, no usable id) is only reported to the
// caller, which logs it. Token ids are checked against the loaded model when the request runs (checkTokenIds).
import { SAMPLING_TABLE, type SamplingSettings, validateSampling } from '../sampling/settings';
import { RuntimeError } from './errors';
import { FIM_FAMILIES } from './fim-families';
import { checkRemoteSpec } from './remote/spec';
import {
  type BranchFrom,
  type ChatTurn,
  type GenerateRequest,
  type HostToWorker,
  isChatRole,
  type Priority,
  type Prompt,
  type RepoContext,
} from './protocol';

/** Most alternatives a request may ask for per position (the inspector asks for 100). */
export const MAX_TOP_N = 1000;
/** Stop strings: how many, and how long each (every token is searched for each of them). */
export const MAX_STOPS = 64;
export const MAX_STOP_LENGTH = 1000;
export const PROVIDERS = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];
/**
 * Longest text to tokenize or score in one request (the host asks for 4,000 and for heatmap windows): the
 * answer holds a record per token, and a larger one would take the worker seconds to serialize. Prompts have
 * no such limit: only what fits the context is tokenized.
 */
export const MAX_TEXT_CHARS = 1_000_000;
const PRIORITIES: readonly Priority[] = ['interactive', 'normal', 'background'];
const MAX_THREADS = 256;
const MAX_DRAFT_TOKENS = 64;
/** Other files in a FIM prompt's repository context (tokenscope.context.maxChunks allows 128; only what fits is tokenized). */
const MAX_CONTEXT_FILES = 256;

export type Checked = { ok: true; msg: HostToWorker } | { ok: false; id?: number; problem: string };

type Fields = Record<string, unknown>;

const bad = (message: string) => new RuntimeError('bad-request', message);

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value for a message: short, whatever it is. */
function show(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function int(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` in ${min}..${max}` : min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : '';
    throw bad(`${name} must be a whole number${range}, got ${show(v)}`);
  }
  return v;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw bad(`${name} must be a string, got ${show(v)}`);
  return v;
}

/** A path or file name: a string without NUL bytes (the file system refuses those). */
function text(v: unknown): string {
  const s = str(v, 'text');
  if (s.length > MAX_TEXT_CHARS) throw bad(`text is ${s.length} characters; at most ${MAX_TEXT_CHARS} are tokenized or scored at once`);
  return s;
}

/** A kept generation's step: { generationId, step }. */
function stepRef(v: unknown): { generationId: number; step: number } {
  if (!v || typeof v !== 'object') throw bad(`at must be { generationId, step }, got ${show(v)}`);
  const r = v as Record<string, unknown>;
  return { generationId: int(r.generationId, 'at.generationId', 0), step: int(r.step, 'at.step', 0) };
}

function pathString(v: unknown, name: string): string {
  const s = str(v, name);
  if (s.includes('\0')) throw bad(`${name} contains a NUL character`);
  return s;
}

function obj(v: unknown, name: string): Fields {
  if (!isObject(v)) throw bad(`${name} must be an object, got ${show(v)}`);
  return v;
}

function optional<T>(v: unknown, check: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : check(v);
}

function priority(v: unknown): Priority {
  if (!PRIORITIES.includes(v as Priority)) throw bad(`priority must be one of ${PRIORITIES.join(', ')}, got ${show(v)}`);
  return v as Priority;
}

const topN = (v: unknown) => int(v, 'topN', 0, MAX_TOP_N);

/** Checks a host message; on failure says why, with the id to answer when the message has a usable one. */
export function checkMessage(raw: unknown): Checked {
  if (!isObject(raw)) return { ok: false, problem: `a message must be an object, got ${show(raw)}` };
  const id = Number.isSafeInteger(raw.id) && raw.type !== 'cancel' ? (raw.id as number) : undefined;
  try {
    return { ok: true, msg: checkFields(raw) };
  } catch (e) {
    return { ok: false, id, problem: e instanceof RuntimeError ? e.message : String(e) };
  }
}

function checkFields(m: Fields): HostToWorker {
  if (m.type === 'shutdown') return { type: 'shutdown' };
  const id = int(m.id, 'id', Number.MIN_SAFE_INTEGER);
  switch (m.type) {
    case 'load':
      return checkLoad(id, m);
    case 'generate':
      return { type: 'generate', id, priority: priority(m.priority), ...checkGenerate(m) };
    case 'resample': {
      const sampling = checkSampling(m.sampling);
      return {
        type: 'resample',
        id,
        generationId: int(m.generationId, 'generationId', 0),
        step: int(m.step, 'step', 0),
        sampling,
        topN: topN(m.topN),
      };
    }
    case 'tokenize':
      return { type: 'tokenize', id, text: text(m.text) };
    case 'score':
      return { type: 'score', id, text: text(m.text), topN: topN(m.topN), priority: priority(m.priority) };
    case 'xray':
      return {
        type: 'xray',
        id,
        text: text(m.text),
        ...(m.at === undefined ? {} : { at: stepRef(m.at) }),
        topK: int(m.topK, 'topK', 1, 20),
        priority: priority(m.priority),
      };
    case 'detail':
      return {
        type: 'detail',
        id,
        generationId: int(m.generationId, 'generationId', 0),
        topN: topN(m.topN),
        priority: priority(m.priority),
      };
    case 'cancel':
    case 'memory':
    case 'anatomy':
      return { type: m.type, id };
    default:
      throw bad(`unknown request type ${show(m.type)}`);
  }
}

function checkLoad(id: number, m: Fields): HostToWorker {
  const providers = optional(m.providers, (v) => {
    if (!Array.isArray(v) || v.length > PROVIDERS.length * 2) throw bad(`providers must be a short list of names, got ${show(v)}`);
    for (const p of v) if (!PROVIDERS.includes(p)) throw bad(`unknown execution provider ${show(p)} (known: ${PROVIDERS.join(', ')})`);
    return v as string[];
  });
  return {
    type: 'load',
    id,
    modelDir: pathString(m.modelDir, 'modelDir'),
    providers,
    onnxFile: optional(m.onnxFile, (v) => pathString(v, 'onnxFile')),
    threads: optional(m.threads, (v) => int(v, 'threads', 0, MAX_THREADS)),
    draftTokens: optional(m.draftTokens, (v) => int(v, 'draftTokens', 0, MAX_DRAFT_TOKENS)),
    remote: optional(m.remote, checkRemoteSpec),
    firstGenerationId: optional(m.firstGenerationId, (v) => int(v, 'firstGenerationId', 1)),
    fimFamily: optional(m.fimFamily, (v) => {
      if (typeof v !== 'string' || !FIM_FAMILIES.some((f) => f.name === v))
        throw bad(`fimFamily must be one of ${FIM_FAMILIES.map((f) => f.name).join(', ')}, got ${show(v)}`);
      return v;
    }),
  };
}

function checkGenerate(m: Fields): Omit<GenerateRequest, 'priority'> {
  const branch = optional(m.branch, checkBranch);
  const detail = optional(m.detail, (v) => {
    if (v !== 'full' && v !== 'deferred') throw bad(`detail must be 'full' or 'deferred', got ${show(v)}`);
    return v;
  });
  return { prompt: checkPrompt(m.prompt), sampling: checkSampling(m.sampling), topN: topN(m.topN), branch, detail };
}

function checkBranch(v: unknown): BranchFrom {
  const b = obj(v, 'branch');
  return {
    generationId: int(b.generationId, 'branch.generationId', 0),
    step: int(b.step, 'branch.step', 0),
    forcedToken: int(b.forcedToken, 'branch.forcedToken', 0),
  };
}

function checkPrompt(v: unknown): Prompt {
  const p = obj(v, 'prompt');
  const prompt: Prompt = {};
  if (p.text !== undefined) prompt.text = str(p.text, 'prompt.text');
  if (p.fim !== undefined) {
    const f = obj(p.fim, 'prompt.fim');
    const layout = optional(f.layout, (l) => {
      if (l !== 'psm' && l !== 'spm') throw bad(`prompt.fim.layout must be "psm" or "spm", got ${show(l)}`);
      return l;
    });
    prompt.fim = { prefix: str(f.prefix, 'prompt.fim.prefix'), suffix: str(f.suffix, 'prompt.fim.suffix'), layout };
    const context = optional(f.context, checkRepoContext);
    if (context) prompt.fim.context = context;
  }
  if (p.tokens !== undefined) {
    if (!Array.isArray(p.tokens)) throw bad(`prompt.tokens must be a list of token ids, got ${show(p.tokens)}`);
    for (let i = 0; i < p.tokens.length; i++) int(p.tokens[i], `prompt.tokens[${i}]`, 0);
    prompt.tokens = p.tokens as number[];
  }
  if (p.chat !== undefined) prompt.chat = checkChat(p.chat);
  return prompt;
}

/** Repository context for a FIM prompt: the repository's name, the current file's path, other files (bounded). */
function checkRepoContext(v: unknown): RepoContext {
  const c = obj(v, 'prompt.fim.context');
  if (!Array.isArray(c.files) || c.files.length > MAX_CONTEXT_FILES)
    throw bad(`prompt.fim.context.files must be a list of at most ${MAX_CONTEXT_FILES} files, got ${show(c.files)}`);
  const files = c.files.map((x, i) => {
    const f = obj(x, `prompt.fim.context.files[${i}]`);
    return { path: str(f.path, `prompt.fim.context.files[${i}].path`), text: str(f.text, `prompt.fim.context.files[${i}].text`) };
  });
  return { repo: str(c.repo, 'prompt.fim.context.repo'), path: str(c.path, 'prompt.fim.context.path'), files };
}

function checkChat(v: unknown): ChatTurn[] {
  if (!Array.isArray(v) || v.length === 0) throw bad(`prompt.chat must be a non-empty list of messages, got ${show(v)}`);
  return v.map((m, i) => {
    const turn = obj(m, `prompt.chat[${i}]`);
    if (!isChatRole(turn.role)) throw bad(`prompt.chat[${i}].role must be system, user or assistant`);
    return { role: turn.role as ChatTurn['role'], content: str(turn.content, `prompt.chat[${i}].content`) };
  });
}

/** The sampling settings: the table's processor settings required, seed and max tokens optional, all in range. */
export function checkSampling(v: unknown): SamplingSettings {
  const s = obj(v, 'sampling');
  for (const { key } of SAMPLING_TABLE)
    if (key !== 'seed' && key !== 'maxTokens' && s[key] === undefined) throw bad(`sampling.${key} is missing`);
  try {
    validateSampling(s as Partial<SamplingSettings>);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const stop = optional(s.stop, (list) => {
    if (!Array.isArray(list) || list.length > MAX_STOPS)
      throw bad(`sampling.stop must be a list of at most ${MAX_STOPS} strings, got ${show(list)}`);
    list.forEach((x, i) => {
      if (typeof x !== 'string' || x.length > MAX_STOP_LENGTH)
        throw bad(`sampling.stop[${i}] must be a string of at most ${MAX_STOP_LENGTH} characters, got ${show(x)}`);
    });
    return list as string[];
  });
  return { ...(s as unknown as SamplingSettings), stop: stop ?? [] };
}

/** Token ids of a generate request against the loaded model's vocabulary (checked when the request runs). */
export function checkTokenIds(req: Pick<GenerateRequest, 'prompt' | 'branch'>, vocabSize: number): void {
  const range = `the model's vocabulary (0..${vocabSize - 1})`;
  const tokens = req.prompt.tokens ?? [];
  for (let i = 0; i < tokens.length; i++) if (tokens[i] >= vocabSize) throw bad(`prompt.tokens[${i}] is ${tokens[i]}, outside ${range}`);
  const forced = req.branch?.forcedToken;
  if (forced !== undefined && forced >= vocabSize) throw bad(`branch.forcedToken is ${forced}, outside ${range}`);
}
