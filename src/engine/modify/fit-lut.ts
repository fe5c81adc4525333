// Fitting the global colour LUT from the source's first frame to the edited first frame. A 3×4
// affine map (least squares) carries the bulk of a grade and extrapolates sensibly to colours the
// first frame lacks; a residual per LUT node (the mean miss of the samples around it, shrunk
// towards 0 where samples are few, then diffused to neighbours) adds the curves an affine map
// cannot (crushed blacks, a hue pulled in one place).
import { blockLuma, LUT_NODES, lutFromFunction, type ColourLut } from './lut.ts';
import { solve } from './solve.ts';

/** A frame's planes as bytes (yuv420p layout). */
export interface PlaneSet {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

const STEP = 255 / (LUT_NODES - 1);
/** Samples' worth of weight pulling a node's residual to its neighbours' (and to 0 where alone). */
const SHRINK = 8;
const DIFFUSE_ITERATIONS = 12;

interface Samples {
  /** Source colours [y, u, v] and target values, one per sample. */
  src: Uint8Array;
  dst: Float32Array;
  count: number;
}

/** Luma pairs (each pixel with its chroma sample) for the Y' table; chroma pairs for Cb', Cr'. */
function samplesOf(src: PlaneSet, dst: PlaneSet, width: number, height: number): { luma: Samples; chroma: Samples } {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const n = width * height;
  const luma = { src: new Uint8Array(n * 3), dst: new Float32Array(n), count: n };
  for (let row = 0, i = 0; row < height; row++) {
    for (let x = 0; x < width; x++, i++) {
      const c = (row >> 1) * cw + (x >> 1);
      luma.src[3 * i] = src.y[i]!;
      luma.src[3 * i + 1] = src.u[c]!;
      luma.src[3 * i + 2] = src.v[c]!;
      luma.dst[i] = dst.y[i]!;
    }
  }
  const m = cw * ch;
  const chroma = { src: new Uint8Array(m * 3), dst: new Float32Array(m * 2), count: m };
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      chroma.src[3 * c] = blockLuma(src.y, width, height, cx, cy);
      chroma.src[3 * c + 1] = src.u[c]!;
      chroma.src[3 * c + 2] = src.v[c]!;
      chroma.dst[2 * c] = dst.u[c]!;
      chroma.dst[2 * c + 1] = dst.v[c]!;
    }
  }
  return { luma, chroma };
}

/** Least-squares affine map of `outs` target channels: coefficients [cy, cu, cv, c0] per channel. */
function fitAffine(s: Samples, outs: number): Float64Array[] {
  const ata = new Float64Array(16);
  const atb = new Float64Array(4 * outs);
  const x = [0, 0, 0, 1];
  for (let i = 0; i < s.count; i++) {
    x[0] = s.src[3 * i]! / 255;
    x[1] = s.src[3 * i + 1]! / 255;
    x[2] = s.src[3 * i + 2]! / 255;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) ata[r * 4 + c]! += x[r]! * x[c]!;
      for (let k = 0; k < outs; k++) atb[r * outs + k]! += x[r]! * s.dst[i * outs + k]!;
    }
  }
  // A little ridge: a flat first frame (one colour) still gives a well-posed, near-offset map.
  const ridge = 1e-4 * s.count;
  for (let r = 0; r < 3; r++) ata[r * 5]! += ridge;
  const sol = solve(ata, atb, 4, outs);
  return Array.from({ length: outs }, (_, k) => Float64Array.from([0, 1, 2, 3], (r) => sol[r * outs + k]! / (r < 3 ? 255 : 1)));
}

const affineAt = (c: Float64Array, y: number, u: number, v: number): number => c[0]! * y + c[1]! * u + c[2]! * v + c[3]!;

/** Per-node residuals of one target channel after the affine map: splatted, shrunk, diffused. */
function residualNodes(s: Samples, outs: number, k: number, affine: Float64Array): Float32Array {
  const size = LUT_NODES ** 3;
  const acc = new Float64Array(size);
  const weight = new Float64Array(size);
  for (let i = 0; i < s.count; i++) {
    const y = s.src[3 * i]!, u = s.src[3 * i + 1]!, v = s.src[3 * i + 2]!;
    const miss = s.dst[i * outs + k]! - affineAt(affine, y, u, v);
    const gy = Math.min(LUT_NODES - 1, Math.round(y / STEP));
    const gu = Math.min(LUT_NODES - 1, Math.round(u / STEP));
    const gv = Math.min(LUT_NODES - 1, Math.round(v / STEP));
    const n = (gy * LUT_NODES + gu) * LUT_NODES + gv;
    acc[n]! += miss;
    weight[n]! += 1;
  }
  let r = new Float32Array(size);
  let next = new Float32Array(size);
  const L = LUT_NODES;
  for (let it = 0; it < DIFFUSE_ITERATIONS; it++) {
    for (let iy = 0; iy < L; iy++) {
      for (let iu = 0; iu < L; iu++) {
        for (let iv = 0; iv < L; iv++) {
          const n = (iy * L + iu) * L + iv;
          let sum = 0, count = 0;
          if (iy > 0) { sum += r[n - L * L]!; count++; }
          if (iy < L - 1) { sum += r[n + L * L]!; count++; }
          if (iu > 0) { sum += r[n - L]!; count++; }
          if (iu < L - 1) { sum += r[n + L]!; count++; }
          if (iv > 0) { sum += r[n - 1]!; count++; }
          if (iv < L - 1) { sum += r[n + 1]!; count++; }
          // Neighbours count for SHRINK samples, and an empty neighbourhood pulls towards 0 (the affine map).
          next[n] = (acc[n]! + (SHRINK * 0.9 * sum) / count) / (weight[n]! + SHRINK);
        }
      }
    }
    [r, next] = [next, r];
  }
  return r;
}

/**
 * The LUT taking the source frame's colours to the edited frame's, both of width×height in
 * yuv420p planes (the edited frame already cover-fitted to the source's size).
 */
export function fitColourLut(src: PlaneSet, edited: PlaneSet, width: number, height: number): ColourLut {
  const { luma, chroma } = samplesOf(src, edited, width, height);
  const [ay] = fitAffine(luma, 1) as [Float64Array];
  const [au, av] = fitAffine(chroma, 2) as [Float64Array, Float64Array];
  const ry = residualNodes(luma, 1, 0, ay);
  const ru = residualNodes(chroma, 2, 0, au);
  const rv = residualNodes(chroma, 2, 1, av);
  return lutFromFunction((y, u, v) => {
    const n = (Math.round(y / STEP) * LUT_NODES + Math.round(u / STEP)) * LUT_NODES + Math.round(v / STEP);
    return [affineAt(ay, y, u, v) + ry[n]!, affineAt(au, y, u, v) + ru[n]!, affineAt(av, y, u, v) + rv[n]!];
  });
}
