// The curated models the download picker offers first, and how a typed "org/name@revision" is read. Sizes are
// rough (they depend on the precision picked next; the variant picker shows the hub's exact sizes). Every entry
// is in the transformers.js ONNX layout; no Qwen2.5-Coder-0.5B base export could be confirmed in onnx-community
// when this list was made, so the base model for completions is the 1.5B one (any repo id can still be typed).
import { checkRepoId, checkRevision } from '../../model-runtime/hub/endpoint';

export interface CatalogEntry {
  repo: string;
  /** Rough download size. */
  size: string;
  goodFor: string;
  license: string;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    repo: 'onnx-community/Qwen2.5-Coder-0.5B-Instruct',
    size: 'about 0.6 GB',
    goodFor: 'chat and questions about code (instruct; weak at fill-in-the-middle)',
    license: 'Apache-2.0',
  },
  {
    repo: 'onnx-community/Qwen2.5-Coder-1.5B',
    size: 'about 1.2 GB and up',
    goodFor: 'inline completions with fill-in-the-middle (base model)',
    license: 'Apache-2.0',
  },
  {
    repo: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    size: 'about 0.15 GB',
    goodFor: 'a very small chat model: fast, for trying things out',
    license: 'Apache-2.0',
  },
  {
    repo: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    size: 'about 0.4 GB',
    goodFor: 'a small chat model, a little better than 135M',
    license: 'Apache-2.0',
  },
];

/** "org/name" or "org/name@revision" (a branch, tag or commit; default main); throws a HubError naming what was expected. */
export function parseRepoSpec(text: string): { repo: string; revision: string } {
  const t = text.trim().replace(/^https?:\/\/huggingface\.co\//, '');
  const at = t.indexOf('@');
  const repo = checkRepoId(at < 0 ? t : t.slice(0, at));
  const revision = checkRevision(at < 0 ? 'main' : t.slice(at + 1));
  return { repo, revision };
}
