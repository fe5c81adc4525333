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
  const i0 = Math.min(cells - 2, Math.floor(f));
  return [Math.max(0, i0), Math.min(cells - 1, Math.max(0, i0) + 1), cells === 1 ? 0 : f - Math.max(0, i0)];
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
  const colOf = Array.from({ length: cw }, (_, cx) => cellCoord(2 * cx + 0.5, width, cols));
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
      const [c0, c1, fx] = colOf[cx]!;
      for (const [cell, w] of [[r0 * cols + c0, (1 - fx) * (1 - fy)], [r0 * cols + c1, fx * (1 - fy)], [r1 * cols + c0, (1 - fx) * fy], [r1 * cols + c1, fx * fy]] as const) {
        if (w === 0) continue;
        const o = cell * K;
        let j = 0;
        for (let a = 0; a < 4; a++) for (let b = a; b < 4; b++) acc[o + j++]! += w * x[a]! * x[b]!;
        for (let a = 0; a < 4; a++) for (let k = 0; k < 3; k++) acc[o + j++]! += w * x[a]! * t[k]!;
        acc[o + 22]! += w;
      }
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

/** Applies the grid: `src` (the globally graded frame) → `out`, both float planes of width×height. */
export function applyLocalGrid(grid: LocalGrid, src: FloatPlanes, out: FloatPlanes, width: number, height: number): void {
  const { cols, rows, coeffs } = grid;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const rowCoeffs = new Float64Array(cols * 12);
  const lumaCols = Array.from({ length: width }, (_, x) => cellCoord(x, width, cols));
  const chromaCols = Array.from({ length: cw }, (_, cx) => cellCoord(2 * cx + 0.5, width, cols));
  const interpolateRow = (pos: number): void => {
    const [r0, r1, fy] = cellCoord(pos, height, rows);
    for (let i = 0; i < cols * 12; i++) rowCoeffs[i] = coeffs[r0 * cols * 12 + i]! * (1 - fy) + coeffs[r1 * cols * 12 + i]! * fy;
  };
  for (let row = 0; row < height; row++) {
    interpolateRow(row);
    const base = row * width;
    const crow = (row >> 1) * cw;
    for (let x = 0; x < width; x++) {
      const [c0, c1, fx] = lumaCols[x]!;
      const a = c0 * 12, b = c1 * 12;
      const c = crow + (x >> 1);
      const y = src.y[base + x]!, u = src.u[c]!, v = src.v[c]!;
      const k0 = rowCoeffs[a]! + (rowCoeffs[b]! - rowCoeffs[a]!) * fx;
      const k1 = rowCoeffs[a + 1]! + (rowCoeffs[b + 1]! - rowCoeffs[a + 1]!) * fx;
      const k2 = rowCoeffs[a + 2]! + (rowCoeffs[b + 2]! - rowCoeffs[a + 2]!) * fx;
      const k3 = rowCoeffs[a + 3]! + (rowCoeffs[b + 3]! - rowCoeffs[a + 3]!) * fx;
      out.y[base + x] = k0 * y + k1 * u + k2 * v + k3;
    }
  }
  for (let cy = 0; cy < ch; cy++) {
    interpolateRow(2 * cy + 0.5);
    const ya = 2 * cy * width, yb = Math.min(2 * cy + 1, height - 1) * width;
    for (let cx = 0; cx < cw; cx++) {
      const [c0, c1, fx] = chromaCols[cx]!;
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
