// A 3D colour look-up table over Y'CbCr bytes: 17 nodes a side, trilinear between them. It is the
// global part of a modify transform: fitted from the source's first frame to the edited one, or
// baked from a prompt's grade. Applying it costs a few table reads per pixel.
import { clampByte } from './colour.ts';

/** Nodes per axis; 17 is the common size of .cube grading LUTs and smooth enough for a fit. */
export const LUT_NODES = 17;
const STEP = 255 / (LUT_NODES - 1);

/** Three tables (Y', Cb', Cr'), each LUT_NODES³ values indexed [y][u][v]. */
export interface ColourLut {
  y: Float32Array;
  u: Float32Array;
  v: Float32Array;
}

const node = (iy: number, iu: number, iv: number): number => (iy * LUT_NODES + iu) * LUT_NODES + iv;

// Byte value → lower node and fraction, shared by every lookup.
const INDEX = new Int32Array(256);
const FRAC = new Float32Array(256);
for (let b = 0; b < 256; b++) {
  const i = Math.min(LUT_NODES - 2, Math.floor(b / STEP));
  INDEX[b] = i;
  FRAC[b] = b / STEP - i;
}

/** The LUT of a function of (Y, Cb, Cr) bytes returning bytes (unclamped). */
export function lutFromFunction(fn: (y: number, u: number, v: number) => [number, number, number]): ColourLut {
  const size = LUT_NODES ** 3;
  const lut = { y: new Float32Array(size), u: new Float32Array(size), v: new Float32Array(size) };
  for (let iy = 0; iy < LUT_NODES; iy++) {
    for (let iu = 0; iu < LUT_NODES; iu++) {
      for (let iv = 0; iv < LUT_NODES; iv++) {
        const [y, u, v] = fn(iy * STEP, iu * STEP, iv * STEP);
        const k = node(iy, iu, iv);
        lut.y[k] = clampByte(y);
        lut.u[k] = clampByte(u);
        lut.v[k] = clampByte(v);
      }
    }
  }
  return lut;
}

/** identity + strength × (lut − identity): a share of the change (strength may exceed 1). */
export function scaleLut(lut: ColourLut, strength: number): ColourLut {
  return lutFromFunction((y, u, v) => {
    const k = node(Math.round(y / STEP), Math.round(u / STEP), Math.round(v / STEP));
    return [y + strength * (lut.y[k]! - y), u + strength * (lut.u[k]! - u), v + strength * (lut.v[k]! - v)];
  });
}

/** Trilinear lookup of one table at byte coordinates. */
function sample(t: Float32Array, y: number, u: number, v: number): number {
  const iy = INDEX[y]!, iu = INDEX[u]!, iv = INDEX[v]!;
  const fy = FRAC[y]!, fu = FRAC[u]!, fv = FRAC[v]!;
  const k = (iy * LUT_NODES + iu) * LUT_NODES + iv;
  const dy = LUT_NODES * LUT_NODES;
  const c00 = t[k]! + (t[k + 1]! - t[k]!) * fv;
  const c01 = t[k + LUT_NODES]! + (t[k + LUT_NODES + 1]! - t[k + LUT_NODES]!) * fv;
  const c10 = t[k + dy]! + (t[k + dy + 1]! - t[k + dy]!) * fv;
  const c11 = t[k + dy + LUT_NODES]! + (t[k + dy + LUT_NODES + 1]! - t[k + dy + LUT_NODES]!) * fv;
  const c0 = c00 + (c01 - c00) * fu;
  const c1 = c10 + (c11 - c10) * fu;
  return c0 + (c1 - c0) * fy;
}

/** Looks up one colour (bytes in, floats out). */
export function lookup(lut: ColourLut, y: number, u: number, v: number): [number, number, number] {
  return [sample(lut.y, y, u, v), sample(lut.u, y, u, v), sample(lut.v, y, u, v)];
}

/**
 * The rounded mean luma of the 2×2 block chroma sample (cx, cy) covers (an odd last row or column
 * repeated): the luma a chroma sample is both fitted (fit-lut.ts) and looked up with.
 */
export function blockLuma(y: Uint8Array, width: number, height: number, cx: number, cy: number): number {
  const r0 = 2 * cy * width;
  const r1 = Math.min(2 * cy + 1, height - 1) * width;
  const x0 = 2 * cx;
  const x1 = Math.min(x0 + 1, width - 1);
  return (y[r0 + x0]! + y[r0 + x1]! + y[r1 + x0]! + y[r1 + x1]! + 2) >> 2;
}

/**
 * Applies the LUT to a yuv420p frame's planes into float planes. Luma reads the chroma sample it
 * sits on; chroma reads the mean luma of its 2×2 block, so both see the colour they belong to.
 */
export function applyLut(
  lut: ColourLut,
  src: { y: Uint8Array; u: Uint8Array; v: Uint8Array },
  width: number,
  height: number,
  out: { y: Float32Array; u: Float32Array; v: Float32Array },
): void {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  for (let row = 0; row < height; row++) {
    const crow = (row >> 1) * cw;
    const base = row * width;
    for (let x = 0; x < width; x++) {
      const c = crow + (x >> 1);
      out.y[base + x] = sample(lut.y, src.y[base + x]!, src.u[c]!, src.v[c]!);
    }
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      const ym = blockLuma(src.y, width, height, cx, cy);
      const c = cy * cw + cx;
      out.u[c] = sample(lut.u, ym, src.u[c]!, src.v[c]!);
      out.v[c] = sample(lut.v, ym, src.u[c]!, src.v[c]!);
    }
  }
}
