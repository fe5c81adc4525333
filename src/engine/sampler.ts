// Resampling one plane where the camera is a pure scale and translation (most frames of most
// moves): separable Catmull-Rom, sub-pixel, in 32-bit fixed point, two passes. When a pass shrinks
// (step > 1) the kernel is widened by the step, as a proper anti-aliased downscale does; enlarging
// uses the plain 4-tap kernel. Measured against the lanczos3 reference at zoom 1, bilinear scored
// 39 dB (synthetic) / 42.6 dB (photo) and Catmull-Rom 43.4 / 45.4 dB: with bilinear, frame 1
// visibly softens after the exact frame 0. The pixel loops allocate nothing.
import type { Plane } from './yuv.ts';

// Weights are scaled by 2^12; the horizontal pass keeps 8 fractional bits (drops 4), so the
// vertical accumulator stays below 255 * 2^8 * 2^12 * 1.3 (the kernel's |w| sum) < 2^31.
const WBITS = 12;
const WONE = 1 << WBITS;
const DROP = 4;
const FINAL = 2 * WBITS - DROP;

/** Catmull-Rom (B=0, C=0.5): interpolating (passes through samples) and sharp, slight overshoot. */
export function catmullRom(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return 1.5 * a * a * a - 2.5 * a * a + 1;
  if (a < 2) return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
  return 0;
}

/**
 * Filter taps for one axis: every output sample reads `taps` consecutive source samples from
 * start[i], with fixed-point weights w[i * taps + t]. Consecutive taps (edge weights folded onto
 * the edge sample) keep the inner loops to one index load per sample.
 */
export interface Taps {
  taps: number;
  start: Int32Array;
  w: Int32Array;
}

/**
 * Shrinks by at most this much are filtered with the plain kernel: the aliasing they let through
 * is far below what the eye sees, and the 4-tap loops are ~40% faster than widened ones. The
 * renderer keeps source levels this close together (source.ts) so the fast path is the norm.
 */
export const MAX_UNFILTERED_SHRINK = 1.06;

/**
 * Fills the taps for output samples at source positions `pos` (source sample indices, integer =
 * sample centre, non-decreasing). Past MAX_UNFILTERED_SHRINK the kernel is scaled by the local
 * step, so a shrink averages what it drops instead of aliasing it.
 */
export function fillTaps(pos: Float64Array, count: number, srcCount: number, into: Taps): void {
  let maxStep = 1;
  for (let i = 1; i < count; i++) maxStep = Math.max(maxStep, pos[i]! - pos[i - 1]!);
  const widen = maxStep > MAX_UNFILTERED_SHRINK;
  const taps = Math.min(srcCount, widen ? Math.ceil(4 * maxStep - 1e-9) : 4);
  if (into.w.length < count * taps) into.w = new Int32Array(count * taps);
  if (into.start.length < count) into.start = new Int32Array(count);
  into.taps = taps;
  const { start, w } = into;
  const last = srcCount - 1;
  const weights = new Float64Array(taps);
  for (let i = 0; i < count; i++) {
    const u = pos[i]!;
    if (!widen && taps === 4) {
      const first = Math.floor(u - 2) + 1;
      if (first >= 0 && first + 3 <= last) {
        interior4(u, first, i, w);
        start[i] = first;
        continue;
      }
    }
    const step = count < 2 ? 1 : i === 0 ? pos[1]! - pos[0]! : i === count - 1 ? pos[i]! - pos[i - 1]! : (pos[i + 1]! - pos[i - 1]!) / 2;
    const scale = widen ? Math.max(1, step) : 1;
    // The window of `taps` samples centred on u, moved inside the source; a tap that falls
    // outside gives its weight to the edge sample it would have repeated.
    const first = Math.floor(u - taps / 2) + 1;
    const s0 = Math.max(0, Math.min(last - taps + 1, first));
    weights.fill(0);
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const wt = catmullRom((first + t - u) / scale);
      const at = Math.max(0, Math.min(last, first + t)) - s0;
      weights[Math.max(0, Math.min(taps - 1, at))]! += wt;
      sum += wt;
    }
    // Normalise in fixed point so the weights sum to exactly WONE: flat areas stay exactly flat.
    let isum = 0;
    let peak = i * taps;
    for (let t = 0; t < taps; t++) {
      const j = i * taps + t;
      const q = Math.round((weights[t]! / sum) * WONE);
      w[j] = q;
      isum += q;
      if (q > w[peak]!) peak = j;
    }
    w[peak] = w[peak]! + WONE - isum;
    start[i] = s0;
  }
}

/**
 * fillTaps for a 4-tap window inside the source (the common case): the same arithmetic in the
 * same order, without the edge folding, so the same weights.
 */
function interior4(u: number, first: number, i: number, w: Int32Array): void {
  const w0 = catmullRom(first - u), w1 = catmullRom(first + 1 - u), w2 = catmullRom(first + 2 - u), w3 = catmullRom(first + 3 - u);
  const sum = w0 + w1 + w2 + w3;
  const j = i * 4;
  const q0 = Math.round((w0 / sum) * WONE), q1 = Math.round((w1 / sum) * WONE), q2 = Math.round((w2 / sum) * WONE), q3 = Math.round((w3 / sum) * WONE);
  // The rounding error goes to the first largest weight.
  let peak = 0;
  let top = q0;
  if (q1 > top) {
    peak = 1;
    top = q1;
  }
  if (q2 > top) {
    peak = 2;
    top = q2;
  }
  if (q3 > top) peak = 3;
  w[j] = q0;
  w[j + 1] = q1;
  w[j + 2] = q2;
  w[j + 3] = q3;
  w[j + peak] = w[j + peak]! + WONE - (q0 + q1 + q2 + q3);
}

/** Reusable tap tables and scratch for one output plane size; create one per render, not per frame. */
export class PlaneSampler {
  readonly width: number;
  readonly height: number;
  private readonly cols: Taps = { taps: 4, start: new Int32Array(0), w: new Int32Array(0) };
  private readonly rows: Taps = { taps: 4, start: new Int32Array(0), w: new Int32Array(0) };
  private tmp = new Int32Array(0); // horizontally filtered source rows, `width` values each
  private tapsFor = -1; // source size cols and rows were filled for

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }

  /**
   * Writes src resampled into `out` (width×height bytes): output column i reads source column
   * position xs[i], row j reads ys[j] (sample indices; both non-decreasing). With `sameTaps`, xs,
   * ys and the source's size are those of the previous call, whose taps are reused.
   */
  sample(src: Plane, xs: Float64Array, ys: Float64Array, out: Uint8Array, sameTaps = false): void {
    const { width, height, cols, rows } = this;
    if (out.length !== width * height) throw new RangeError(`output plane must be ${width * height} bytes`);
    if (!sameTaps || this.tapsFor !== src.width * 65536 + src.height) {
      fillTaps(xs, width, src.width, cols);
      fillTaps(ys, height, src.height, rows);
      this.tapsFor = src.width * 65536 + src.height;
    }
    this.sampleWithTaps(src, cols, rows, out);
  }

  /** The two passes for taps already filled (by fillTaps) for this output size. */
  sampleWithTaps(src: Plane, cols: Taps, rows: Taps, out: Uint8Array): void {
    const { width, height } = this;
    // Only the source rows some output row reads need the horizontal pass.
    const first = rows.start[0]!;
    const count = rows.start[height - 1]! + rows.taps - first;
    if (this.tmp.length < count * width) this.tmp = new Int32Array(count * width);
    const tmp = this.tmp;
    for (let r = 0; r < count; r++) horizontal(src.data, (first + r) * src.width, cols, width, tmp, r * width);
    vertical(tmp, first, rows, width, height, out);
  }
}

function horizontal(data: Uint8Array, s: number, cols: Taps, width: number, tmp: Int32Array, o: number): void {
  const { start, w, taps } = cols;
  if (taps === 4) {
    for (let x = 0, k = 0; x < width; x++, k += 4) {
      const p = s + start[x]!;
      tmp[o + x] = (data[p]! * w[k]! + data[p + 1]! * w[k + 1]! + data[p + 2]! * w[k + 2]! + data[p + 3]! * w[k + 3]!) >> DROP;
    }
    return;
  }
  for (let x = 0, k = 0; x < width; x++) {
    const p = s + start[x]!;
    let acc = 0;
    for (let t = 0; t < taps; t++, k++) acc += data[p + t]! * w[k]!;
    tmp[o + x] = acc >> DROP;
  }
}

function vertical(tmp: Int32Array, first: number, rows: Taps, width: number, height: number, out: Uint8Array): void {
  const { start, w, taps } = rows;
  // Clamped view: Catmull-Rom overshoots slightly at edges; negative and >255 values saturate.
  const dst = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
  const round = 1 << (FINAL - 1);
  if (taps === 4) {
    for (let y = 0, k = 0; y < height; y++, k += 4) {
      const a = (start[y]! - first) * width, b = a + width, c = b + width, d = c + width;
      const wa = w[k]!, wb = w[k + 1]!, wc = w[k + 2]!, wd = w[k + 3]!;
      const o = y * width;
      for (let i = 0; i < width; i++) {
        dst[o + i] = (tmp[a + i]! * wa + tmp[b + i]! * wb + tmp[c + i]! * wc + tmp[d + i]! * wd + round) >> FINAL;
      }
    }
    return;
  }
  const acc = new Int32Array(width);
  for (let y = 0, k = 0; y < height; y++, k += taps) {
    acc.fill(round);
    for (let t = 0; t < taps; t++) {
      const row = (start[y]! + t - first) * width;
      const wt = w[k + t]!;
      for (let i = 0; i < width; i++) acc[i]! += tmp[row + i]! * wt;
    }
    const o = y * width;
    for (let i = 0; i < width; i++) dst[o + i] = acc[i]! >> FINAL;
  }
}

/** a := a + (b - a) * weight, per byte, in place; weight ∈ [0, 1]. */
export function blendInto(a: Uint8Array, b: Uint8Array, weight: number): void {
  const wb = Math.round(weight * 256);
  const wa = 256 - wb;
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! * wa + b[i]! * wb + 128) >> 8;
}
