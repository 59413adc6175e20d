// Connects to a remote server: checks that it answers and serves the model named, reads its context length
// where it says, and builds the RemoteEngine. A wrong URL, key or model name fails here, at load, with a
// message that says which, not at the first completion.
import { RuntimeError } from '../errors';
import { familyOf } from '../fim-families';
import type { ModelInfo, ProviderReport } from '../protocol';
import { nativeFim, probabilityKind } from './flavours';
import { getJson } from './http-stream';
import { RemoteEngine } from './remote-engine';
import type { RemoteSpec } from './types';

const PROBE_TIMEOUT_MS = 10_000;
const DEFAULT_CONTEXT = 4096;

interface Served {
  id: string;
  context?: number;
}

/** The models the server lists (OpenAI's /v1/models; Ollama's /api/tags). */
async function served(spec: RemoteSpec): Promise<Served[]> {
  const path = spec.flavour === 'ollama' ? '/api/tags' : '/v1/models';
  const body = (await getJson(spec, path, spec.timeoutMs ?? PROBE_TIMEOUT_MS)) as {
    data?: { id: string; max_model_len?: number; context_length?: number; meta?: { n_ctx_train?: number } }[];
    models?: { name: string }[];
  };
  if (spec.flavour === 'ollama') return (body.models ?? []).map((m) => ({ id: m.name }));
  return (body.data ?? []).map((m) => ({ id: m.id, context: m.max_model_len ?? m.context_length ?? m.meta?.n_ctx_train }));
}

/** The model to use: the one named, or the only one served; a name the server does not list is an error naming those it does. */
function pick(spec: RemoteSpec, list: Served[]): Served {
  if (!spec.model) {
    if (list.length === 1 || spec.flavour === 'llama-server') return list[0] ?? { id: '' };
    throw new RuntimeError('remote', `set tokenscope.remote.model: the server serves ${list.map((m) => m.id).join(', ') || 'no models'}`);
  }
  const found = list.find((m) => m.id === spec.model || m.id === `${spec.model}:latest`);
  // llama-server serves whatever it loaded under any name.
  if (found || spec.flavour === 'llama-server' || list.length === 0) return found ?? { id: spec.model };
  throw new RuntimeError('remote', `the server does not serve "${spec.model}"; it serves ${list.map((m) => m.id).join(', ')}`);
}

/** llama-server's context as it runs (/props), not the model's training context that /v1/models lists. */
async function llamaContext(spec: RemoteSpec): Promise<number | undefined> {
  const body = (await getJson(spec, '/props', PROBE_TIMEOUT_MS).catch(() => undefined)) as
    | { default_generation_settings?: { n_ctx?: number } }
    | undefined;
  const n = body?.default_generation_settings?.n_ctx;
  return typeof n === 'number' && n > 0 ? n : undefined;
}

export async function loadRemoteEngine(spec: RemoteSpec): Promise<RemoteEngine> {
  const model = pick(spec, await served(spec));
  if (spec.flavour === 'llama-server') model.context = (await llamaContext(spec)) ?? model.context;
  const name = model.id || spec.model || 'remote model';
  const family = familyOf(name, spec.fimFamily);
  const info: ModelInfo = {
    name: `${name} (${spec.flavour})`,
    dir: spec.baseUrl,
    architecture: 'remote',
    layers: 0,
    contextLength: model.context ?? DEFAULT_CONTEXT,
    vocabSize: 0,
    supportsFim: nativeFim(spec.flavour) || !!family,
    onnxFile: '',
    heads: 0,
    kvHeads: 0,
    headDim: 0,
    eosIds: [],
    fimLayout: family?.layout ?? 'psm',
    serverRepoFiles: spec.flavour === 'llama-server',
    tokenizer: 'remote',
  };
  const provider: ProviderReport = {
    active: `remote: ${spec.flavour} at ${new URL(spec.baseUrl).host}`,
    fallbacks: [],
    notes: [
      `probabilities: ${probabilityKind(spec.flavour)}, the top alternatives the server returns`,
      nativeFim(spec.flavour)
        ? "fill-in-the-middle: the server's own"
        : family
          ? `fill-in-the-middle: ${family.name} tokens`
          : 'no fill-in-the-middle (unknown model family)',
    ],
  };
  return new RemoteEngine(info, provider, { ...spec, model: spec.model || model.id }, family);
}
