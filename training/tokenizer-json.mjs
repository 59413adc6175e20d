// Writes a Hugging Face tokenizer.json (byte-level BPE) for an OpenAI encoding served by gpt-tokenizer,
// so that other tools (transformers.js, tokenizers, llama.cpp converters) can read our models.
// The merges are recovered from the ranks: a token of rank r is the merge of the two parts that BPE,
// allowed only ranks below r, leaves of its bytes. With --max-rank N the vocabulary is cut to the first
// N ranks (still a consistent BPE, since every merge's parts rank lower): used for tiny test fixtures.
//
// usage: node tokenizer-json.mjs --encoding p50k_edit --out DIR/tokenizer.json [--max-rank N]
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const encoding = arg('encoding', 'p50k_edit');
const out = arg('out');
if (!out) throw new Error('--out is required');

// The specials of each encoding, as gpt-tokenizer defines them.
const SPECIALS = {
  r50k_base: { '<|endoftext|>': 50256 },
  p50k_base: { '<|endoftext|>': 50256 },
  p50k_edit: { '<|endoftext|>': 50256, '<|fim_prefix|>': 50281, '<|fim_middle|>': 50282, '<|fim_suffix|>': 50283 },
};
const rankFile = { r50k_base: 'r50k_base', p50k_base: 'p50k_base', p50k_edit: 'p50k_base' }[encoding];
if (!rankFile) throw new Error(`unsupported encoding ${encoding}`);
const ranksMod = require(`gpt-tokenizer/bpeRanks/${rankFile}`);
const ranks = ranksMod.default ?? ranksMod;
const maxRank = Number(arg('max-rank', ranks.length));

// GPT-2's byte <-> unicode table: printable bytes map to themselves, the rest to code points from 256 up.
const byteToChar = new Array(256);
{
  const printable = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  let n = 0;
  for (let b = 0; b < 256; b++) byteToChar[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + n++);
}
const enc = new TextEncoder();
const tokenBytes = (t) => (typeof t === 'string' ? Array.from(enc.encode(t)) : t);
const asChars = (bytes) => bytes.map((b) => byteToChar[b]).join('');

const rankOf = new Map(); // byte-level string -> rank
const vocab = {};
for (let r = 0; r < Math.min(maxRank, ranks.length); r++) {
  if (ranks[r] === undefined) continue; // a special's slot
  const s = asChars(tokenBytes(ranks[r]));
  rankOf.set(s, r);
  vocab[s] = r;
}

// Plain BPE over symbols, merging the lowest-ranked adjacent pair whose rank is below `limit`.
function bpe(symbols, limit) {
  const parts = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = limit;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = rankOf.get(parts[i] + parts[i + 1]);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, parts[best] + parts[best + 1]);
  }
}

const merges = [];
for (const [s, r] of rankOf) {
  const symbols = [...s];
  if (symbols.length < 2) continue;
  const parts = bpe(symbols, r);
  if (parts.length !== 2) throw new Error(`rank ${r} (${JSON.stringify(s)}) does not split into two parts: ${parts.length}`);
  merges.push([r, `${parts[0]} ${parts[1]}`]);
}
merges.sort((a, b) => a[0] - b[0]);

// A cut vocabulary renumbers the specials to follow it, in their original order.
const truncated = maxRank < ranks.length;
const added = Object.entries(SPECIALS[encoding])
  .sort((a, b) => a[1] - b[1])
  .map(([content, id], i) => ({
    id: truncated ? maxRank + i : id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));

const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges: merges.map((m) => m[1]),
  },
};
writeFileSync(out, JSON.stringify(tokenizer));
console.log(`wrote ${out}: ${Object.keys(vocab).length} tokens, ${merges.length} merges, ${added.length} specials`);
