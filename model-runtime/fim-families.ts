// Fill-in-the-middle tokens per model family: each family was trained with its own spelling and order, and
// a prompt in another family's tokens is noise to it. Used where the prompt is built as text (a remote server
// without its own infill route); a local model folder names its FIM token ids itself (model-folder.ts).
import type { FimLayout } from './protocol';

export interface FimFamily {
  name: string;
  prefix: string;
  suffix: string;
  middle: string;
  layout: FimLayout;
  /** Repository-context tokens, where the family has them (Qwen2.5-Coder). */
  fileSep?: string;
  repoName?: string;
  /** Model names (lower case) of this family. */
  match: RegExp;
}

export const FIM_FAMILIES: readonly FimFamily[] = [
  {
    name: 'qwen2.5-coder',
    prefix: '<|fim_prefix|>',
    suffix: '<|fim_suffix|>',
    middle: '<|fim_middle|>',
    layout: 'psm',
    fileSep: '<|file_sep|>',
    repoName: '<|repo_name|>',
    match: /qwen[^/]*coder/,
  },
  {
    name: 'deepseek-coder',
    prefix: '<｜fim▁begin｜>',
    suffix: '<｜fim▁hole｜>',
    middle: '<｜fim▁end｜>',
    layout: 'psm',
    match: /deepseek[^/]*coder/,
  },
  {
    name: 'starcoder',
    prefix: '<fim_prefix>',
    suffix: '<fim_suffix>',
    middle: '<fim_middle>',
    layout: 'psm',
    match: /starcoder|santacoder/,
  },
  { name: 'codellama', prefix: '<PRE> ', suffix: ' <SUF>', middle: ' <MID>', layout: 'psm', match: /code-?llama/ },
  { name: 'codegemma', prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', layout: 'psm', match: /codegemma/ },
  // The embedded model (p50k_edit's FIM tokens), trained suffix-first.
  { name: 'tokenscope', prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>', layout: 'spm', match: /tokenscope/ },
];

/** The family a model name belongs to, or undefined (then no FIM prompt is built for it). */
export function familyOf(modelName: string, override?: string): FimFamily | undefined {
  if (override) return FIM_FAMILIES.find((f) => f.name === override);
  const name = modelName.toLowerCase();
  return FIM_FAMILIES.find((f) => f.match.test(name));
}

/** The prompt text that asks `family` for the middle between `prefix` and `suffix`. */
export function fimText(family: FimFamily, prefix: string, suffix: string): string {
  return family.layout === 'spm'
    ? `${family.prefix}${family.suffix}${suffix}${family.middle}${prefix}`
    : `${family.prefix}${prefix}${family.suffix}${suffix}${family.middle}`;
}
