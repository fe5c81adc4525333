// The local part of a modify transform: a coarse grid of cells over the frame (16 on the longer
// side), each with its own affine colour map from the globally graded first frame to the edited
// one. Cells share their neighbours' samples (the fit's sums are blurred across cells) and lean to
// the identity where they hold little (a ridge), so the field is smooth; applying it interpolates
// the maps bilinearly between cell centres. It catches what a global LUT cannot: the same colour
// changed in one place and not in another (a recoloured object, a sky turned to dusk).
import { solve } from './solve.ts';

export interface FloatPlanes {
  y: Float32Array;
  u: Float32Array;
  v: Float32Array;
}

/** Per cell, 12 coefficients: rows Y', Cb', Cr' of [cy, cu, cv, c0] (c0 in byte units). */
export interface LocalGrid {
  cols: number;
  rows: number;
  coeffs: Float64Array;
}

const CELLS_ON_LONG_SIDE = 16;
/** Per-sample ridge towards the identity, in (value/255)²: about a std of 8 levels. */
const RIDGE_PER_SAMPLE = 1e-3;
const RIDGE_FLOOR = 4;

function cellCoord(pos: number, size: number, cells: number): [number, number, number] {
  const f = Math.min(cells - 1, Math.max(0, ((pos + 0.5) / size) * cells - 0.5));
  const i0 = Math.max(0, Math.min(cells - 2, Math.floor(f)));
  return [i0, Math.min(cells - 1, i0 + 1), f - i0];
}

/** cellCoord for every position along an axis, as typed arrays for the per-pixel loops. */
function cellAxis(count: number, posOf: (i: number) => number, size: number, cells: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const a = { i0: new Int32Array(count), i1: new Int32Array(count), f: new Float32Array(count) };
  for (let i = 0; i < count; i++) {
    const [i0, i1, f] = cellCoord(posOf(i), size, cells);
    a.i0[i] = i0;
    a.i1[i] = i1;
    a.f[i] = f;
  }
  return a;
}

/** [1 2 1]/4 blur of a cols×rows field of `k` channels, both ways. */
function blurField(f: Float64Array, cols: number, rows: number, k: number): Float64Array {
  const tmp = new Float64Array(f.length);
  const out = new Float64Array(f.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const l = Math.max(0, c - 1), rr = Math.min(cols - 1, c + 1);
      for (let j = 0; j < k; j++) tmp[(r * cols + c) * k + j] = (f[(r * cols + l) * k + j]! + 2 * f[(r * cols + c) * k + j]! + f[(r * cols + rr) * k + j]!) / 4;
    }
  }
  for (let r = 0; r < rows; r++) {
    const u = Math.max(0, r - 1), d = Math.min(rows - 1, r + 1);
    for (let c = 0; c < cols; c++) {
      for (let j = 0; j < k; j++) out[(r * cols + c) * k + j] = (tmp[(u * cols + c) * k + j]! + 2 * tmp[(r * cols + c) * k + j]! + tmp[(d * cols + c) * k + j]!) / 4;
    }
  }
  return out;
}

/**
 * Fits the grid at chroma resolution: input the graded first frame (luma averaged over each 2×2
 * block), target the edited frame. `locality` in [0, 1] scales each cell's departure from the
 * identity (0: the grid does nothing).
 */
export function fitLocalGrid(graded: FloatPlanes, edited: { y: Uint8Array; u: Uint8Array; v: Uint8Array }, width: number, height: number, locality: number): LocalGrid {
  const cols = Math.max(2, Math.round((CELLS_ON_LONG_SIDE * width) / Math.max(width, height)));
  const rows = Math.max(2, Math.round((CELLS_ON_LONG_SIDE * height) / Math.max(width, height)));
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  // Per cell: the 10 distinct entries of XᵀX, then 12 of XᵀT, then the weight.
  const K = 23;
  const acc = new Float64Array(cols * rows * K);
  const x = [0, 0, 0, 1];
  const t = [0, 0, 0];
  const colOf = cellAxis(cw, (cx) => 2 * cx + 0.5, width, cols);
  const splat = (cell: number, w: number): void => {
    if (w === 0) return;
    const o = cell * K;
    let j = 0;
    for (let a = 0; a < 4; a++) for (let b = a; b < 4; b++) acc[o + j++]! += w * x[a]! * x[b]!;
    for (let a = 0; a < 4; a++) for (let k = 0; k < 3; k++) acc[o + j++]! += w * x[a]! * t[k]!;
    acc[o + 22]! += w;
  };
  for (let cy = 0; cy < ch; cy++) {
    const [r0, r1, fy] = cellCoord(2 * cy + 0.5, height, rows);
    const ya = 2 * cy * width, yb = Math.min(2 * cy + 1, height - 1) * width;
    for (let cx = 0; cx < cw; cx++) {
      const c = cy * cw + cx;
      const x0 = 2 * cx, x1 = Math.min(x0 + 1, width - 1);
      x[0] = (graded.y[ya + x0]! + graded.y[ya + x1]! + graded.y[yb + x0]! + graded.y[yb + x1]!) / (4 * 255);
      x[1] = graded.u[c]! / 255;
      x[2] = graded.v[c]! / 255;
      t[0] = (edited.y[ya + x0]! + edited.y[ya + x1]! + edited.y[yb + x0]! + edited.y[yb + x1]!) / (4 * 255);
      t[1] = edited.u[c]! / 255;
      t[2] = edited.v[c]! / 255;
      const c0 = colOf.i0[cx]!, c1 = colOf.i1[cx]!, fx = colOf.f[cx]!;
      splat(r0 * cols + c0, (1 - fx) * (1 - fy));
      splat(r0 * cols + c1, fx * (1 - fy));
      splat(r1 * cols + c0, (1 - fx) * fy);
      splat(r1 * cols + c1, fx * fy);
    }
  }
  const sums = blurField(acc, cols, rows, K);
  const coeffs = new Float64Array(cols * rows * 12);
  const ata = new Float64Array(16);
  const atb = new Float64Array(12);
  for (let cell = 0; cell < cols * rows; cell++) {
    const o = cell * K;
    let j = 0;
    for (let a = 0; a < 4; a++) for (let b = a; b < 4; b++) ata[a * 4 + b] = ata[b * 4 + a] = sums[o + j++]!;
    for (let a = 0; a < 4; a++) for (let k = 0; k < 3; k++) atb[a * 3 + k] = sums[o + j++]!;
    const ridge = RIDGE_PER_SAMPLE * sums[o + 22]! + RIDGE_FLOOR * RIDGE_PER_SAMPLE;
    // Ridge towards the identity: channel k maps to itself, no offset.
    for (let a = 0; a < 4; a++) {
      ata[a * 4 + a]! += ridge;
      if (a < 3) atb[a * 3 + a]! += ridge;
    }
    const sol = solve(ata, atb, 4, 3);
    for (let k = 0; k < 3; k++) {
      for (let a = 0; a < 4; a++) {
        const fitted = a === 3 ? sol[a * 3 + k]! * 255 : sol[a * 3 + k]!;
        const identity = a === k ? 1 : 0;
        coeffs[cell * 12 + k * 4 + a] = identity + locality * (fitted - identity);
      }
    }
  }
  return { cols, rows, coeffs };
}

/**
 * Applies the grid: `src` (the globally graded frame) → `out`, both float planes of width×height.
 * (shiftX, shiftY): how far the picture has moved since the frame the grid was fitted on; the
 * grid moves with it (its edge cells extend past the frame).
 */
export function applyLocalGrid(grid: LocalGrid, src: FloatPlanes, out: FloatPlanes, width: number, height: number, shiftX = 0, shiftY = 0): void {
  const { cols, rows, coeffs } = grid;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const rowCoeffs = new Float64Array(cols * 12);
  const chromaCols = cellAxis(cw, (cx) => 2 * cx + 0.5 - shiftX, width, cols);
  const interpolateRow = (pos: number): void => {
    const [r0, r1, fy] = cellCoord(pos, height, rows);
    for (let i = 0; i < cols * 12; i++) rowCoeffs[i] = coeffs[r0 * cols * 12 + i]! * (1 - fy) + coeffs[r1 * cols * 12 + i]! * fy;
  };
  // Along a row the coefficients are linear between cell centres, so they are stepped by a
  // constant per pixel instead of interpolated at each (measured: 32 → 14 ms a 540p frame).
  const centre = (i: number): number => ((i + 0.5) * width) / cols - 0.5 + shiftX;
  const k = new Float64Array(4);
  const dk = new Float64Array(4);
  for (let row = 0; row < height; row++) {
    interpolateRow(row - shiftY);
    const base = row * width;
    const crow = (row >> 1) * cw;
    for (let seg = -1; seg < cols; seg++) {
      const xs = seg < 0 ? 0 : Math.max(0, Math.ceil(centre(seg)));
      const xe = seg + 1 >= cols ? width : Math.min(width, Math.ceil(centre(seg + 1)));
      if (xe <= xs) continue;
      const a = Math.max(0, seg) * 12, b = Math.min(cols - 1, seg + 1) * 12;
      const span = seg < 0 || seg + 1 >= cols ? 0 : centre(seg + 1) - centre(seg);
      const f = span ? (xs - centre(seg)) / span : 0;
      for (let j = 0; j < 4; j++) {
        dk[j] = span ? (rowCoeffs[b + j]! - rowCoeffs[a + j]!) / span : 0;
        k[j] = rowCoeffs[a + j]! + (rowCoeffs[b + j]! - rowCoeffs[a + j]!) * f;
      }
      let k0 = k[0]!, k1 = k[1]!, k2 = k[2]!, k3 = k[3]!;
      const d0 = dk[0]!, d1 = dk[1]!, d2 = dk[2]!, d3 = dk[3]!;
      for (let x = xs; x < xe; x++) {
        const c = crow + (x >> 1);
        out.y[base + x] = k0 * src.y[base + x]! + k1 * src.u[c]! + k2 * src.v[c]! + k3;
        k0 += d0;
        k1 += d1;
        k2 += d2;
        k3 += d3;
      }
    }
  }
  for (let cy = 0; cy < ch; cy++) {
    interpolateRow(2 * cy + 0.5 - shiftY);
    const ya = 2 * cy * width, yb = Math.min(2 * cy + 1, height - 1) * width;
    for (let cx = 0; cx < cw; cx++) {
      const c0 = chromaCols.i0[cx]!, c1 = chromaCols.i1[cx]!, fx = chromaCols.f[cx]!;
      const x0 = 2 * cx, x1 = Math.min(x0 + 1, width - 1);
      const c = cy * cw + cx;
      const y = (src.y[ya + x0]! + src.y[ya + x1]! + src.y[yb + x0]! + src.y[yb + x1]!) / 4;
      const u = src.u[c]!, v = src.v[c]!;
      for (let k = 1; k < 3; k++) {
        const a = c0 * 12 + k * 4, b = c1 * 12 + k * 4;
        const k0 = rowCoeffs[a]! + (rowCoeffs[b]! - rowCoeffs[a]!) * fx;
        const k1 = rowCoeffs[a + 1]! + (rowCoeffs[b + 1]! - rowCoeffs[a + 1]!) * fx;
        const k2 = rowCoeffs[a + 2]! + (rowCoeffs[b + 2]! - rowCoeffs[a + 2]!) * fx;
        const k3 = rowCoeffs[a + 3]! + (rowCoeffs[b + 3]! - rowCoeffs[a + 3]!) * fx;
        (k === 1 ? out.u : out.v)[c] = k0 * y + k1 * u + k2 * v + k3;
      }
    }
  }
}
