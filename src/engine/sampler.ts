// Per-frame resampling of a crop rectangle to the output size: separable Catmull-Rom (4 taps per
// axis), sub-pixel, in 32-bit fixed point. Sources are pre-scaled so the crop maps nearly 1:1
// onto the output (scale between 1 and the max zoom). Measured against the lanczos3 reference at
// zoom 1, bilinear scored 39 dB (synthetic) / 42.6 dB (photo) and Catmull-Rom 43.4 / 45.4 dB: with
// bilinear, frame 1 visibly softens after the exact frame 0. Tap tables are filled once per frame;
// the pixel loops allocate nothing.
import type { Rect } from './camera.ts';
import type { RgbImage } from './source.ts';

// Weights are scaled by 2^12; the horizontal pass keeps 8 fractional bits (drops 4), so the
// vertical accumulator stays below 255 * 2^8 * 2^12 * 1.27 (the kernel's |w| sum) < 2^31.
const WBITS = 12;
const WONE = 1 << WBITS;
const DROP = 4;
const FINAL = 2 * WBITS - DROP;
const TAPS = 4;

/** Catmull-Rom (B=0, C=0.5): interpolating (passes through samples) and sharp, slight overshoot. */
function catmullRom(x: number): number {
  const a = Math.abs(x);
  if (a < 1) return 1.5 * a * a * a - 2.5 * a * a + 1;
  if (a < 2) return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
  return 0;
}

/** Reusable tables for one output size; create one per render, not per frame. */
export class Sampler {
  readonly width: number;
  readonly height: number;
  private readonly colIdx: Int32Array; // TAPS byte offsets within a source row, per output column
  private readonly colW: Int32Array;
  private readonly rowIdx: Int32Array; // TAPS row numbers, per output row
  private readonly rowW: Int32Array;
  private tmp = new Int32Array(0); // horizontally filtered rows, width*3 values each

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.colIdx = new Int32Array(width * TAPS);
    this.colW = new Int32Array(width * TAPS);
    this.rowIdx = new Int32Array(height * TAPS);
    this.rowW = new Int32Array(height * TAPS);
  }

  /** Writes the crop `rect` of `src` (source pixel coordinates) into `out` (rgb24, width×height). */
  sample(src: RgbImage, rect: Rect, out: Uint8Array): void {
    const { width, height, colIdx, colW, rowIdx, rowW } = this;
    const rowLen = width * 3;
    if (out.length !== rowLen * height) throw new RangeError(`output buffer must be ${rowLen * height} bytes`);
    fillTaps(rect.x, rect.w / width, width, src.width, 3, colIdx, colW);
    fillTaps(rect.y, rect.h / height, height, src.height, 1, rowIdx, rowW);
    // Only the source rows some output row reads need the horizontal pass.
    const first = rowIdx[0]!;
    const rows = rowIdx[height * TAPS - 1]! - first + 1;
    if (this.tmp.length < rows * rowLen) this.tmp = new Int32Array(rows * rowLen);
    const tmp = this.tmp;
    const data = src.data;
    const srcRowLen = src.width * 3;

    for (let r = 0; r < rows; r++) {
      const s = (first + r) * srcRowLen;
      let o = r * rowLen;
      for (let x = 0, k = 0; x < width; x++, k += TAPS) {
        const a = s + colIdx[k]!, b = s + colIdx[k + 1]!, c = s + colIdx[k + 2]!, d = s + colIdx[k + 3]!;
        const wa = colW[k]!, wb = colW[k + 1]!, wc = colW[k + 2]!, wd = colW[k + 3]!;
        tmp[o++] = (data[a]! * wa + data[b]! * wb + data[c]! * wc + data[d]! * wd) >> DROP;
        tmp[o++] = (data[a + 1]! * wa + data[b + 1]! * wb + data[c + 1]! * wc + data[d + 1]! * wd) >> DROP;
        tmp[o++] = (data[a + 2]! * wa + data[b + 2]! * wb + data[c + 2]! * wc + data[d + 2]! * wd) >> DROP;
      }
    }

    // Clamped view: Catmull-Rom overshoots slightly at edges; negative and >255 values saturate.
    const dst = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
    const round = 1 << (FINAL - 1);
    for (let y = 0, k = 0; y < height; y++, k += TAPS) {
      const a = (rowIdx[k]! - first) * rowLen, b = (rowIdx[k + 1]! - first) * rowLen;
      const c = (rowIdx[k + 2]! - first) * rowLen, d = (rowIdx[k + 3]! - first) * rowLen;
      const wa = rowW[k]!, wb = rowW[k + 1]!, wc = rowW[k + 2]!, wd = rowW[k + 3]!;
      const o = y * rowLen;
      for (let i = 0; i < rowLen; i++) {
        dst[o + i] = (tmp[a + i]! * wa + tmp[b + i]! * wb + tmp[c + i]! * wc + tmp[d + i]! * wd + round) >> FINAL;
      }
    }
  }
}

/**
 * Fills TAPS source indices (times `stride`) and fixed-point weights per output sample. Output
 * pixel i's centre (i + 0.5) maps to source coordinate start + (i + 0.5) * step, measured from
 * pixel centres (hence the -0.5); taps beyond the edge repeat the edge pixel. Indices are
 * non-decreasing in i, which the row pass relies on.
 */
function fillTaps(start: number, step: number, count: number, srcCount: number, stride: number, idx: Int32Array, w: Int32Array): void {
  const last = srcCount - 1;
  for (let i = 0; i < count; i++) {
    const u = Math.min(last, Math.max(0, start + (i + 0.5) * step - 0.5));
    const k = Math.floor(u);
    const f = u - k;
    let sum = 0;
    for (let t = 0; t < TAPS; t++) {
      const j = i * TAPS + t;
      const weight = t === TAPS - 1 ? WONE - sum : Math.round(catmullRom(f - (t - 1)) * WONE); // exact unit sum
      w[j] = weight;
      sum += weight;
      idx[j] = Math.min(last, Math.max(0, k + t - 1)) * stride;
    }
  }
}

/** a := a + (b - a) * weight, per byte, in place; weight ∈ [0, 1]. */
export function blendInto(a: Uint8Array, b: Uint8Array, weight: number): void {
  const wb = Math.round(weight * 256);
  const wa = 256 - wb;
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! * wa + b[i]! * wb + 128) >> 8;
}
