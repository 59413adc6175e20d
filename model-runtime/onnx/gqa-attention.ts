// The attention weights GroupQueryAttention computes but never hands out, recomputed for one query position from
// the tensors around the kernel: the block's query before rotary and its keys after it (the kernel's present
// keys). A packed query input holds each position's q, k and v side by side, the q heads first. Rotary as the
// kernel applies it with rotary_interleaved = 0 (the Hugging Face halves), scale 1/sqrt(dim), causal; query head h
// reads key/value head floor(h / (heads / kvHeads)).

export interface GqaShapes {
  heads: number;
  kvHeads: number;
  dim: number;
  /** Positions in the run (rows of query and keys). */
  T: number;
  /** Values per position in the query tensor: heads x dim, or (heads + 2 kvHeads) x dim when packed. */
  stride: number;
}

/** weights[head][j]: how much `position` attends to position j (j <= position); each row sums to 1. */
export function gqaAttentionRow(
  query: Float32Array,
  keys: Float32Array,
  s: GqaShapes,
  position: number,
  rotary: { cos: Float32Array; sin: Float32Array },
): number[][] {
  const { heads, kvHeads, dim, T, stride } = s;
  const half = dim / 2;
  const cos = rotary.cos.subarray(position * half, (position + 1) * half);
  const sin = rotary.sin.subarray(position * half, (position + 1) * half);
  const scale = 1 / Math.sqrt(dim);
  return Array.from({ length: heads }, (_, h) => {
    const q = query.subarray(position * stride + h * dim, position * stride + (h + 1) * dim);
    const rq = new Float32Array(dim);
    for (let j = 0; j < half; j++) {
      rq[j] = q[j] * cos[j] - q[j + half] * sin[j];
      rq[j + half] = q[j + half] * cos[j] + q[j] * sin[j];
    }
    const g = Math.floor(h / (heads / kvHeads));
    const scores = new Float64Array(position + 1);
    let max = Number.NEGATIVE_INFINITY;
    for (let t = 0; t <= position; t++) {
      const k = keys.subarray((g * T + t) * dim, (g * T + t + 1) * dim);
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += rq[j] * k[j];
      scores[t] = dot * scale;
      max = Math.max(max, scores[t]);
    }
    let sum = 0;
    for (let t = 0; t <= position; t++) {
      scores[t] = Math.exp(scores[t] - max);
      sum += scores[t];
    }
    return Array.from(scores, (x) => x / sum);
  });
}
