// One tokenizer interface over two libraries:
// - OpenAI-style BPE encodings (tokenizer_config.json names one in "gpt_tokenizer_encoding") go through
//   gpt-tokenizer: exact tiktoken ids, fast, and no tokenizer.json to ship for the default model.
// - Any other tokenizer.json goes through @huggingface/tokenizers (0.2.x). It is the tokenizer code that
//   transformers.js 4 itself uses, split out as a small pure-JS package with no ONNX or sharp baggage, so
//   the worker gets Hugging Face's exact pre-tokenizers/normalizers/decoders without pulling the whole of
//   transformers.js into the bundle.
// Text is never parsed for special tokens by gpt-tokenizer: code that contains "<|endoftext|>" is code.
import { FIM_FAMILIES, type FimFamily } from './fim-families';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { RuntimeError } from './errors';
import type { ModelFolder } from './model-folder';
import type { FimLayout, ModelInfo } from './protocol';

/** FIM token ids, whose tokens they are, and repository-context ids where the tokenizer holds them (ModelInfo.fim). */
export type FimIds = NonNullable<ModelInfo['fim']>;

export interface Tokenizer {
  /** 'gpt-tokenizer:<encoding>' or 'tokenizer.json'. */
  readonly kind: string;
  readonly vocabSize: number;
  readonly fim?: FimIds;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The exact bytes this token stands for (may be part of a UTF-8 character). */
  tokenBytes(id: number): Uint8Array;
  /** The id of a special/added token given by its text. */
  specialId(text: string): number | undefined;
  isSpecial(id: number): boolean;
}

/**
 * A family's three FIM ids in a tokenizer, or undefined when it lacks one of them. SentencePiece vocabularies
 * may spell a control token with the word-start mark (CodeLlama's "▁<PRE>"): that spelling counts too.
 */
function familyIds(f: FimFamily, lookup: (s: string) => number | undefined): FimIds | undefined {
  const find = (t: string) => lookup(t.trim()) ?? lookup(`▁${t.trim()}`);
  const prefix = find(f.prefix);
  const suffix = find(f.suffix);
  const middle = find(f.middle);
  if (prefix === undefined || suffix === undefined || middle === undefined) return undefined;
  const repoName = f.repoName ? lookup(f.repoName) : undefined;
  const fileSep = f.fileSep ? lookup(f.fileSep) : undefined;
  return { prefix, suffix, middle, family: f.name, ...(repoName !== undefined && fileSep !== undefined ? { repoName, fileSep } : {}) };
}

/** The FIM ids of the first family (fim-families.ts) whose three tokens this tokenizer has. */
export function fimFrom(lookup: (s: string) => number | undefined): FimIds | undefined {
  for (const f of FIM_FAMILIES) {
    const ids = familyIds(f, lookup);
    if (ids) return ids;
  }
  return undefined;
}

interface GptEncodingApi {
  encode(text: string, opts?: { disallowedSpecial?: Set<string> }): number[];
  decode(ids: Iterable<number>): string;
  vocabularySize: number;
  default: {
    specialTokensEncoder: Map<string, number>;
    bytePairEncodingCoreProcessor: { decodeNativeGenerator(ids: Iterable<number>): Generator<Uint8Array | string> };
  };
}

// Static requires so the bundler includes them; each is evaluated only when chosen.
function loadEncoding(name: string): GptEncodingApi | undefined {
  switch (name) {
    case 'r50k_base':
      return require('gpt-tokenizer/encoding/r50k_base');
    case 'p50k_base':
      return require('gpt-tokenizer/encoding/p50k_base');
    case 'p50k_edit':
      return require('gpt-tokenizer/encoding/p50k_edit');
    case 'cl100k_base':
      return require('gpt-tokenizer/encoding/cl100k_base');
    case 'o200k_base':
      return require('gpt-tokenizer/encoding/o200k_base');
    default:
      return undefined;
  }
}

class GptTokenizer implements Tokenizer {
  readonly kind: string;
  readonly vocabSize: number;
  readonly fim?: FimIds;
  private readonly specials: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly bytesCache = new Map<number, Uint8Array>();
  private readonly noSpecials = { disallowedSpecial: new Set<string>() };

  constructor(
    private readonly api: GptEncodingApi,
    encoding: string,
  ) {
    this.kind = `gpt-tokenizer:${encoding}`;
    this.specials = api.default.specialTokensEncoder;
    this.specialIds = new Set(this.specials.values());
    // vocabularySize counts the special tokens already; a special id past it widens the vocabulary.
    this.vocabSize = Math.max(api.vocabularySize, ...[...this.specialIds].map((id) => id + 1));
    this.fim = fimFrom((s) => this.specials.get(s));
  }

  encode(text: string): number[] {
    return this.api.encode(text, this.noSpecials);
  }

  decode(ids: readonly number[]): string {
    return this.api.decode(ids);
  }

  tokenBytes(id: number): Uint8Array {
    let b = this.bytesCache.get(id);
    if (!b) {
      const part = this.api.default.bytePairEncodingCoreProcessor.decodeNativeGenerator([id]).next().value;
      const bytes: Uint8Array = part === undefined ? new Uint8Array(0) : typeof part === 'string' ? new TextEncoder().encode(part) : part;
      b = bytes;
      this.bytesCache.set(id, b);
    }
    return b;
  }

  specialId(text: string): number | undefined {
    return this.specials.get(text);
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }
}

/**
 * The tokenizer with another family's FIM tokens (a setting overrides detection): their ids come from this
 * tokenizer's own special tokens, and a family whose tokens it lacks is an error naming them.
 */
export function withFimFamily(tok: Tokenizer, name: string): { tokenizer: Tokenizer; layout: FimLayout } {
  const family = FIM_FAMILIES.find((f) => f.name === name);
  if (!family)
    throw new RuntimeError(
      'model-folder',
      `unknown fill-in-the-middle family "${name}" (known: ${FIM_FAMILIES.map((f) => f.name).join(', ')})`,
    );
  const fim = familyIds(family, (t) => tok.specialId(t));
  if (!fim)
    throw new RuntimeError(
      'model-folder',
      `the model has no ${family.name} FIM tokens (${family.prefix.trim()} ${family.suffix.trim()} ${family.middle.trim()})`,
    );
  const tokenizer: Tokenizer = {
    kind: tok.kind,
    vocabSize: tok.vocabSize,
    fim,
    encode: (t) => tok.encode(t),
    decode: (ids) => tok.decode(ids),
    tokenBytes: (i) => tok.tokenBytes(i),
    specialId: (t) => tok.specialId(t),
    isSpecial: (i) => tok.isSpecial(i),
  };
  return { tokenizer, layout: family.layout };
}

/** GPT-2's byte-to-printable-character table, inverted: ByteLevel token strings back to bytes. */
export function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let i = 33; i <= 126; i++) bs.push(i);
  for (let i = 161; i <= 172; i++) bs.push(i);
  for (let i = 174; i <= 255; i++) bs.push(i);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCharCode(cs[i]), b]));
}

/**
 * The bytes a vocabulary piece stands for: byte-level pieces through GPT-2's table; else SentencePiece style,
 * byte-fallback pieces <0xNN> and "▁" for a space.
 */
export function pieceBytes(piece: string, byteLevel?: ReadonlyMap<string, number>): Uint8Array {
  const enc = new TextEncoder();
  if (byteLevel) {
    const out: number[] = [];
    for (const ch of piece) {
      const v = byteLevel.get(ch);
      if (v === undefined) out.push(...enc.encode(ch));
      else out.push(v);
    }
    return Uint8Array.from(out);
  }
  const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
  return m ? Uint8Array.of(parseInt(m[1], 16)) : enc.encode(piece.replace(/\u2581/g, ' '));
}

function usesType(node: unknown, type: string): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as { type?: string; decoders?: unknown[]; pretokenizers?: unknown[] };
  if (n.type === type) return true;
  return [...(n.decoders ?? []), ...(n.pretokenizers ?? [])].some((d) => usesType(d, type));
}

class JsonTokenizer implements Tokenizer {
  readonly kind = 'tokenizer.json';
  readonly vocabSize: number;
  readonly fim?: FimIds;
  private readonly tok: HfTokenizer;
  private readonly added = new Map<string, number>();
  private readonly special = new Set<number>();
  private readonly byteLevel?: Map<string, number>;
  private readonly bytesCache = new Map<number, Uint8Array>();

  constructor(json: Record<string, unknown>, config: Record<string, unknown>) {
    this.tok = new HfTokenizer(json, config);
    for (const [id, t] of this.tok.get_added_tokens_decoder()) {
      this.added.set(t.content, id);
      if (t.special) this.special.add(id);
    }
    const vocab = this.tok.get_vocab(true);
    let max = -1;
    for (const id of vocab.values()) if (id > max) max = id;
    this.vocabSize = max + 1;
    if (usesType(json.decoder, 'ByteLevel') || usesType(json.pre_tokenizer, 'ByteLevel')) this.byteLevel = byteLevelDecoder();
    this.fim = fimFrom((s) => this.added.get(s) ?? this.tok.token_to_id(s));
  }

  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    return this.tok.decode(ids as number[], { skip_special_tokens: false });
  }

  tokenBytes(id: number): Uint8Array {
    let b = this.bytesCache.get(id);
    if (b) return b;
    const s = this.tok.id_to_token(id) ?? '';
    b = this.added.has(s) || this.special.has(id) ? new TextEncoder().encode(s) : pieceBytes(s, this.byteLevel);
    this.bytesCache.set(id, b);
    return b;
  }

  specialId(text: string): number | undefined {
    return this.added.get(text);
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }
}

export function loadTokenizer(folder: ModelFolder): Tokenizer {
  if (folder.gptEncoding) {
    const api = loadEncoding(folder.gptEncoding);
    if (!api) {
      throw new RuntimeError(
        'model-folder',
        `${folder.dir}/tokenizer_config.json: unknown "gpt_tokenizer_encoding" "${folder.gptEncoding}" (expected r50k_base, p50k_base, p50k_edit, cl100k_base or o200k_base)`,
        `${folder.dir}/tokenizer_config.json`,
      );
    }
    return new GptTokenizer(api, folder.gptEncoding);
  }
  try {
    const tok = new JsonTokenizer(folder.tokenizerJson!, folder.tokenizerConfig);
    // A file the library accepts may still fail on the first text: fail here, at load, naming the file.
    tok.decode(tok.encode('Tokenscope checks: 1 + 2;\n'));
    return tok;
  } catch (e) {
    throw new RuntimeError(
      'model-folder',
      `${folder.dir}/tokenizer.json: cannot be loaded (${(e as Error).message})`,
      `${folder.dir}/tokenizer.json`,
    );
  }
}
