// An independent, deliberately naive XLM-RoBERTa forward pass and BGE-M3 heads
// in float64, written from the transformers / FlagEmbedding definitions. Used
// as the oracle for the generated ONNX models and for head computations.
import type { LayerNorm, Linear, XlmrLayerWeights, XlmrWeights } from '../../../tools/fixtures/test-model/weights.ts';

/** A row-major tensor. */
export interface RefTensor {
  data: Float64Array;
  dims: number[];
}

type Vec = Float64Array;

/** transformers' create_position_ids_from_input_ids: pads get `padId`, real tokens padId+1, padId+2, … */
export function referencePositionIds(ids: readonly number[], padId: number): number[] {
  let seen = 0;
  return ids.map((id) => (id === padId ? padId : padId + ++seen));
}

/** Last hidden state [B, S, H] of `inputIds` (right-padded rows of equal length) under `attentionMask`. */
export function referenceLastHiddenState(w: XlmrWeights, inputIds: readonly (readonly number[])[], attentionMask: readonly (readonly number[])[]): RefTensor {
  const S = checkBatch(w, inputIds, attentionMask);
  const H = w.config.hidden;
  const data = new Float64Array(inputIds.length * S * H);
  inputIds.forEach((ids, b) => {
    encodeRow(w, ids, attentionMask[b]).forEach((v, s) => data.set(v, (b * S + s) * H));
  });
  return { data, dims: [inputIds.length, S, H] };
}

function checkBatch(w: XlmrWeights, inputIds: readonly (readonly number[])[], mask: readonly (readonly number[])[]): number {
  const S = inputIds[0]?.length ?? 0;
  if (S === 0) throw new Error('referenceLastHiddenState: empty batch or empty row');
  inputIds.forEach((ids, b) => {
    if (ids.length !== S || mask[b]?.length !== S) throw new Error(`row ${b}: ids and mask must all have length ${S}`);
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= w.config.vocabSize);
    if (bad !== undefined) throw new Error(`row ${b}: id ${bad} is outside the vocabulary [0, ${w.config.vocabSize})`);
    const lastPos = Math.max(...referencePositionIds(ids, w.config.padTokenId));
    if (lastPos >= w.config.maxPositions) throw new Error(`row ${b}: position ${lastPos} needs more than ${w.config.maxPositions} position rows`);
  });
  return S;
}

function encodeRow(w: XlmrWeights, ids: readonly number[], mask: readonly number[]): Vec[] {
  const { hidden: H, padTokenId } = w.config;
  const positions = referencePositionIds(ids, padTokenId);
  let x = ids.map((id, s) => {
    const v = new Float64Array(H);
    for (let k = 0; k < H; k++) {
      v[k] = w.wordEmbeddings[id * H + k] + w.tokenTypeEmbeddings[k] + w.positionEmbeddings[positions[s] * H + k];
    }
    return layerNorm(w.embeddingNorm, v, w.config.layerNormEps);
  });
  for (const layer of w.layers) x = encoderLayer(w, layer, x, mask);
  return x;
}

function encoderLayer(w: XlmrWeights, L: XlmrLayerWeights, x: Vec[], mask: readonly number[]): Vec[] {
  const eps = w.config.layerNormEps;
  const context = selfAttention(L, x, mask, w.config.heads);
  return x.map((xi, i) => {
    const attended = layerNorm(L.attentionNorm, add(applyLinear(L.attentionOutput, context[i]), xi), eps);
    const inner = applyLinear(L.intermediate, attended).map(gelu);
    return layerNorm(L.outputNorm, add(applyLinear(L.output, inner), attended), eps);
  });
}

/** Multi-head scaled dot-product attention; keys with mask 0 get zero weight. */
function selfAttention(L: XlmrLayerWeights, x: Vec[], mask: readonly number[], heads: number): Vec[] {
  const q = x.map((v) => applyLinear(L.query, v));
  const k = x.map((v) => applyLinear(L.key, v));
  const v = x.map((u) => applyLinear(L.value, u));
  const H = q[0].length;
  const dh = H / heads;
  const keys = mask.flatMap((m, j) => (m ? [j] : []));
  return q.map((qi) => {
    const out = new Float64Array(H);
    for (let h = 0; h < heads; h++) {
      const off = h * dh;
      const scores = keys.map((j) => {
        let dot = 0;
        for (let d = 0; d < dh; d++) dot += qi[off + d] * k[j][off + d];
        return dot / Math.sqrt(dh);
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const total = exps.reduce((a, b) => a + b, 0);
      keys.forEach((j, n) => {
        for (let d = 0; d < dh; d++) out[off + d] += (exps[n] / total) * v[j][off + d];
      });
    }
    return out;
  });
}

/** y = x·Wᵀ + b, with W row-major [out, in] as nn.Linear stores it. */
export function applyLinear(lin: Linear, x: ArrayLike<number>): Vec {
  const y = new Float64Array(lin.outFeatures);
  for (let o = 0; o < lin.outFeatures; o++) {
    let acc = lin.bias[o];
    for (let i = 0; i < lin.inFeatures; i++) acc += x[i] * lin.weight[o * lin.inFeatures + i];
    y[o] = acc;
  }
  return y;
}

function layerNorm(ln: LayerNorm, x: Vec, eps: number): Vec {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  const inv = 1 / Math.sqrt(variance + eps);
  return x.map((v, k) => (v - mean) * inv * ln.gamma[k] + ln.beta[k]);
}

function add(a: Vec, b: Vec): Vec {
  return a.map((v, k) => v + b[k]);
}

function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * erf(x) = 2/sqrt(pi) · exp(-x²) · Σ 2ⁿ x²ⁿ⁺¹ / (1·3·…·(2n+1)); every term is
 * positive, so the sum has no cancellation. Beyond |x| = 6, erf is ±1 in float64.
 */
export function erf(x: number): number {
  if (Math.abs(x) >= 6) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** F.normalize(x, dim=-1): x / max(||x||, 1e-12). */
function normalize(x: Vec): Vec {
  const norm = Math.sqrt(x.reduce((a, b) => a + b * b, 0));
  return x.map((v) => v / Math.max(norm, 1e-12));
}

function row(t: RefTensor, b: number, s: number): Vec {
  const [, S, H] = t.dims;
  return t.data.subarray((b * S + s) * H, (b * S + s + 1) * H);
}

/** Dense: the normalized CLS row, [B, H]. */
export function referenceDense(hidden: RefTensor): RefTensor {
  const [B, , H] = hidden.dims;
  const data = new Float64Array(B * H);
  for (let b = 0; b < B; b++) data.set(normalize(row(hidden, b, 0)), b * H);
  return { data, dims: [B, H] };
}

/** Sparse token weights relu(H·w + b), [B, S, 1]. */
export function referenceSparse(sparseLinear: Linear, hidden: RefTensor): RefTensor {
  const [B, S] = hidden.dims;
  const data = new Float64Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) data[b * S + s] = Math.max(0, applyLinear(sparseLinear, row(hidden, b, s))[0]);
  }
  return { data, dims: [B, S, 1] };
}

/** ColBERT vectors normalize(colbert_linear(H[:, 1:]) * mask[:, 1:]), [B, S-1, H]; masked rows are 0. */
export function referenceColbert(colbertLinear: Linear, hidden: RefTensor, attentionMask: readonly (readonly number[])[]): RefTensor {
  const [B, S] = hidden.dims;
  const D = colbertLinear.outFeatures;
  const data = new Float64Array(B * (S - 1) * D);
  for (let b = 0; b < B; b++) {
    for (let s = 1; s < S; s++) {
      const projected = applyLinear(colbertLinear, row(hidden, b, s)).map((v) => v * attentionMask[b][s]);
      data.set(normalize(projected), (b * (S - 1) + s - 1) * D);
    }
  }
  return { data, dims: [B, S - 1, D] };
}

/** All three BGE-M3 outputs from a last hidden state, with the heads of `w`. */
export function referenceHeads(
  w: XlmrWeights,
  hidden: RefTensor,
  attentionMask: readonly (readonly number[])[],
): { dense: RefTensor; sparse: RefTensor; colbert: RefTensor } {
  return {
    dense: referenceDense(hidden),
    sparse: referenceSparse(w.sparseLinear, hidden),
    colbert: referenceColbert(w.colbertLinear, hidden, attentionMask),
  };
}
