// Checks a remote server's settings, wherever they come from (the worker's load message, the VS Code
// settings): an error names the field and what it takes.
import { RuntimeError } from '../errors';
import { FIM_FAMILIES } from '../fim-families';
import { REMOTE_FLAVOURS, type RemoteFlavour, type RemoteSpec } from './types';

const bad = (message: string) => new RuntimeError('bad-request', `remote: ${message}`);

function whole(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`${name} must be a whole number in ${min}..${max}`);
  return v;
}

function optionalString(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(`${name} must be a string`);
  return v;
}

/** An http(s) URL; anything else (a path, another scheme) is refused with the reason. */
export function checkBaseUrl(v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) throw bad('baseUrl must be a URL such as http://127.0.0.1:8080');
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw bad(`baseUrl "${v}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`baseUrl must be http:// or https://, got ${url.protocol}`);
  return url.toString().replace(/\/+$/, '');
}

export function checkRemoteSpec(v: unknown): RemoteSpec {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('the remote settings must be an object');
  const m = v as Record<string, unknown>;
  if (!REMOTE_FLAVOURS.includes(m.flavour as RemoteFlavour)) throw bad(`flavour must be one of ${REMOTE_FLAVOURS.join(', ')}`);
  const fimFamily = optionalString(m.fimFamily, 'fimFamily');
  if (fimFamily && !FIM_FAMILIES.some((f) => f.name === fimFamily))
    throw bad(`fimFamily must be one of ${FIM_FAMILIES.map((f) => f.name).join(', ')}`);
  return {
    flavour: m.flavour as RemoteFlavour,
    baseUrl: checkBaseUrl(m.baseUrl),
    model: optionalString(m.model, 'model') ?? '',
    apiKey: optionalString(m.apiKey, 'apiKey') || undefined,
    timeoutMs: whole(m.timeoutMs, 'timeoutMs', 100, 600_000),
    retries: whole(m.retries, 'retries', 0, 10),
    fimFamily: fimFamily || undefined,
  };
}
