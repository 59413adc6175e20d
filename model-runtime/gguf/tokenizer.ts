// The tokenizer of a GGUF file: llama.cpp splits text (its own pre-tokenizer for the model's family), and the
// file's vocabulary gives each token's exact bytes, so a token that is half a UTF-8 character is shown as the
// bytes it is, and decoding joins bytes before turning them into text.
import { byteLevelDecoder, fimFrom, type FimIds, pieceBytes, type Tokenizer } from '../tokenizer';

/** What the tokenizer needs from a loaded llama.cpp model (node-llama-cpp's LlamaModel has it). */
export interface LlamaVocabulary {
  tokenize(text: string): readonly number[];
  readonly fileInfo: { metadata: { tokenizer?: { ggml?: GgmlTokenizer } } };
}

interface GgmlTokenizer {
  model?: string;
  tokens?: readonly string[];
  token_type?: readonly number[];
}

// tokenizer.ggml.token_type: control and user-defined tokens are written as their text, never split.
const CONTROL = 3;
const USER_DEFINED = 4;

export class GgufTokenizer implements Tokenizer {
  readonly kind: string;
  readonly vocabSize: number;
  readonly fim?: FimIds;
  private readonly pieces: readonly string[];
  private readonly types: readonly number[];
  private readonly byteLevel?: Map<string, number>;
  private readonly specials = new Map<string, number>();
  private readonly bytesCache = new Map<number, Uint8Array>();

  constructor(private readonly model: LlamaVocabulary) {
    const ggml = model.fileInfo.metadata.tokenizer?.ggml ?? {};
    this.pieces = ggml.tokens ?? [];
    this.types = ggml.token_type ?? [];
    this.kind = `gguf:${ggml.model ?? 'unknown'}`;
    this.vocabSize = this.pieces.length;
    // gpt2-style vocabularies store bytes as printable characters; llama (SentencePiece) ones use ▁ and <0xNN>.
    if (ggml.model === 'gpt2') this.byteLevel = byteLevelDecoder();
    this.types.forEach((t, id) => {
      if (t === CONTROL || t === USER_DEFINED) this.specials.set(this.pieces[id], id);
    });
    this.fim = fimFrom((s) => this.specials.get(s));
  }

  encode(text: string): number[] {
    return [...this.model.tokenize(text)];
  }

  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.tokenBytes(id));
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(all);
  }

  tokenBytes(id: number): Uint8Array {
    let b = this.bytesCache.get(id);
    if (b) return b;
    const piece = this.pieces[id] ?? '';
    b = this.isSpecial(id) ? new TextEncoder().encode(piece) : pieceBytes(piece, this.byteLevel);
    this.bytesCache.set(id, b);
    return b;
  }

  specialId(text: string): number | undefined {
    return this.specials.get(text);
  }

  isSpecial(id: number): boolean {
    return this.types[id] === CONTROL || this.types[id] === USER_DEFINED;
  }
}
