// Per-pixel resampling for warps that are not separable (roll, yaw, pitch): each output sample
// reads a 4×4 Catmull-Rom neighbourhood at its own source position. The kernel is not widened, so
// the caller samples from a source level that this warp enlarges (never shrinks); see frames.ts.
// Weights come from a table of 64 sub-pixel phases (position error ≤ 1/128 px).
import { catmullRom } from './sampler.ts';
import type { Plane } from './yuv.ts';

const PHASES = 64;
const LUT = new Float32Array((PHASES + 1) * 4);
for (let p = 0; p <= PHASES; p++) {
  const f = p / PHASES;
  const w = [catmullRom(f + 1), catmullRom(f), catmullRom(1 - f), catmullRom(2 - f)];
  const sum = w[0]! + w[1]! + w[2]! + w[3]!;
  for (let t = 0; t < 4; t++) LUT[p * 4 + t] = w[t]! / sum;
}

/**
 * Writes one output row: sample k reads `src` at (xs[k], ys[k]) in source sample indices (integer
 * = sample centre), clamped to the plane.
 */
export function bicubicRow(src: Plane, xs: Float64Array, ys: Float64Array, count: number, out: Uint8Array, offset: number): void {
  const { data, width, height } = src;
  const maxX = width - 1;
  const maxY = height - 1;
  for (let k = 0; k < count; k++) {
    let x = xs[k]!;
    let y = ys[k]!;
    x = x < 0 ? 0 : x > maxX ? maxX : x;
    y = y < 0 ? 0 : y > maxY ? maxY : y;
    const ix = Math.floor(x);
    const iy = Math.floor(y);
    const px = ((x - ix) * PHASES + 0.5) | 0;
    const py = ((y - iy) * PHASES + 0.5) | 0;
    const wx0 = LUT[px * 4]!, wx1 = LUT[px * 4 + 1]!, wx2 = LUT[px * 4 + 2]!, wx3 = LUT[px * 4 + 3]!;
    const wy0 = LUT[py * 4]!, wy1 = LUT[py * 4 + 1]!, wy2 = LUT[py * 4 + 2]!, wy3 = LUT[py * 4 + 3]!;
    let v: number;
    if (ix >= 1 && ix + 2 <= maxX && iy >= 1 && iy + 2 <= maxY) {
      let r = (iy - 1) * width + ix - 1;
      const a = data[r]! * wx0 + data[r + 1]! * wx1 + data[r + 2]! * wx2 + data[r + 3]! * wx3;
      r += width;
      const b = data[r]! * wx0 + data[r + 1]! * wx1 + data[r + 2]! * wx2 + data[r + 3]! * wx3;
      r += width;
      const c = data[r]! * wx0 + data[r + 1]! * wx1 + data[r + 2]! * wx2 + data[r + 3]! * wx3;
      r += width;
      const d = data[r]! * wx0 + data[r + 1]! * wx1 + data[r + 2]! * wx2 + data[r + 3]! * wx3;
      v = a * wy0 + b * wy1 + c * wy2 + d * wy3;
    } else {
      v = 0;
      const wy = [wy0, wy1, wy2, wy3];
      const wx = [wx0, wx1, wx2, wx3];
      for (let j = 0; j < 4; j++) {
        const row = Math.min(maxY, Math.max(0, iy - 1 + j)) * width;
        let acc = 0;
        for (let i = 0; i < 4; i++) acc += data[row + Math.min(maxX, Math.max(0, ix - 1 + i))]! * wx[i]!;
        v += acc * wy[j]!;
      }
    }
    out[offset + k] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
}

/**
 * As bicubicRow with a bilinear kernel: for chroma in the per-pixel path, where the eye cannot
 * tell the difference at these scales and it costs a quarter of the taps.
 */
export function bilinearRow(src: Plane, xs: Float64Array, ys: Float64Array, count: number, out: Uint8Array, offset: number): void {
  const { data, width, height } = src;
  const maxX = width - 1;
  const maxY = height - 1;
  for (let k = 0; k < count; k++) {
    let x = xs[k]!;
    let y = ys[k]!;
    x = x < 0 ? 0 : x > maxX ? maxX : x;
    y = y < 0 ? 0 : y > maxY ? maxY : y;
    const ix = x | 0;
    const iy = y | 0;
    const ax = x - ix;
    const ay = y - iy;
    const ix1 = ix < maxX ? ix + 1 : ix;
    const r0 = iy * width;
    const r1 = (iy < maxY ? iy + 1 : iy) * width;
    const top = data[r0 + ix]! + (data[r0 + ix1]! - data[r0 + ix]!) * ax;
    const bottom = data[r1 + ix]! + (data[r1 + ix1]! - data[r1 + ix]!) * ax;
    out[offset + k] = (top + (bottom - top) * ay + 0.5) | 0;
  }
}
