// The outpainting behind the placed source: a coarse picture of what lies beyond its edges, kept
// per plane (Y, U, V) on a grid of `cell`-pixel cells and smoothed over time.
//
// Each frame the placed source is averaged into the cells it covers; every other cell takes the
// value of the covered cell it mirrors (reflected about the source's edges, ping-pong when the
// canvas is wider than the source: structure continues outward in the source's own colours).
// That picture is blurred twice, lightly near the source and heavily far from it, and the two
// are blended by distance, so the fill carries the edge's colour and rough shapes next to the
// seam and fades to a soft colour field away from it. Finally an exponential moving average
// over frames (time constant TIME_CONSTANT_S) keeps the fill steadier than the source itself:
// a flickering or moving source becomes a slow drift of colour in the fill.
import { chromaSize, framePlanes } from '../yuv.ts';
import type { Rect, Size } from './geometry.ts';

/** How fast the fill follows the source: the EMA's time constant, in seconds. */
export const TIME_CONSTANT_S = 0.25;

export interface FillOptions {
  /** Cell side in canvas (luma) pixels; even, so a chroma cell is whole. */
  cell: number;
  /** Frames per second of the video, for the time constant. */
  fps: number;
  /** false (draft): one light blur everywhere instead of the near/far blend. */
  detail: boolean;
}

/** The cell side for a canvas: about 1/64 of its short side, even, at least 4 (8 at 540p, 16 at 1080p). */
export function cellFor(canvas: Size, draft: boolean): number {
  const base = Math.max(4, Math.round(Math.min(canvas.width, canvas.height) / 64 / 2) * 2);
  return draft ? base * 2 : base;
}

/** One plane's fixed bookkeeping: where each source sample falls and which cells it covers. */
interface PlaneGrid {
  /** Plane pixels per luma pixel: 1 for Y, 2 for U and V. */
  sub: number;
  /** Source plane size (the placed frame's plane). */
  srcWidth: number;
  srcHeight: number;
  /** Runs of source columns in one cell: [first, end, cell] triples (summed without a lookup per sample). */
  runsX: Int32Array;
  cellOfY: Int32Array;
  /** Samples per cell (0 outside the source). */
  count: Float32Array;
  /** Covered cells: [kx0, kx1) × [ky0, ky1). */
  kx0: number;
  kx1: number;
  ky0: number;
  ky1: number;
  /** Per cell, 0 next to the source … 1 far from it: the blend from the light to the heavy blur. */
  far: Float32Array;
  /** The smoothed fill, one value per cell. */
  value: Float32Array;
}

const NEAR_RADIUS = 1;
const FAR_RADIUS = 4;
/** Cells from the source over which the light blur gives way to the heavy one. */
const FAR_CELLS = 6;

/** Index of the covered cell that cell `i` mirrors, reflecting about [k0, k1) (ping-pong). */
function mirror(i: number, k0: number, k1: number): number {
  const n = k1 - k0;
  const period = 2 * n;
  const m = (((i - k0) % period) + period) % period;
  return k0 + (m < n ? m : period - 1 - m);
}

/** Box blur of radius r, horizontal then vertical, edges clamped; `src` is overwritten. */
function boxBlur(src: Float32Array, w: number, h: number, r: number, tmp: Float32Array): void {
  const norm = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * norm;
      acc += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[Math.min(h - 1, Math.max(0, k)) * w + x]!;
    for (let y = 0; y < h; y++) {
      src[y * w + x] = acc * norm;
      acc += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
}

export class FillModel {
  /** Grid size in cells, the same for all three planes. */
  readonly cols: number;
  readonly rows: number;
  readonly cell: number;
  readonly #grids: PlaneGrid[];
  readonly #alpha: number;
  readonly #detail: boolean;
  #primed = false;
  // Scratch, reused every frame.
  readonly #sum: Float32Array;
  readonly #near: Float32Array;
  readonly #far: Float32Array;
  readonly #tmp: Float32Array;

  constructor(canvas: Size, placed: Rect, opts: FillOptions) {
    this.cell = opts.cell;
    this.cols = Math.ceil(canvas.width / opts.cell);
    this.rows = Math.ceil(canvas.height / opts.cell);
    this.#alpha = 1 - Math.exp(-1 / Math.max(1, opts.fps * TIME_CONSTANT_S));
    this.#detail = opts.detail;
    const n = this.cols * this.rows;
    this.#sum = new Float32Array(n);
    this.#near = new Float32Array(n);
    this.#far = new Float32Array(n);
    this.#tmp = new Float32Array(n);
    this.#grids = [1, 2, 2].map((sub) => this.#grid(placed, sub));
  }

  #grid(placed: Rect, sub: number): PlaneGrid {
    const srcWidth = sub === 1 ? placed.width : chromaSize(placed.width);
    const srcHeight = sub === 1 ? placed.height : chromaSize(placed.height);
    const cellOfX = Int32Array.from({ length: srcWidth }, (_, i) => Math.floor((placed.x + sub * i) / this.cell));
    const cellOfY = Int32Array.from({ length: srcHeight }, (_, j) => Math.floor((placed.y + sub * j) / this.cell));
    const count = new Float32Array(this.cols * this.rows);
    for (const cy of cellOfY) for (const cx of cellOfX) count[cy * this.cols + cx]!++;
    const runs: number[] = [];
    for (let i = 0; i < srcWidth; i++) {
      if (i === 0 || cellOfX[i] !== cellOfX[i - 1]) runs.push(i, i + 1, cellOfX[i]!);
      else runs[runs.length - 2]!++;
    }
    const kx0 = cellOfX[0]!;
    const kx1 = cellOfX[srcWidth - 1]! + 1;
    const ky0 = cellOfY[0]!;
    const ky1 = cellOfY[srcHeight - 1]! + 1;
    const far = new Float32Array(this.cols * this.rows);
    for (let y = 0; y < this.rows; y++) {
      const dy = Math.max(0, ky0 - y, y - (ky1 - 1));
      for (let x = 0; x < this.cols; x++) {
        const dx = Math.max(0, kx0 - x, x - (kx1 - 1));
        far[y * this.cols + x] = Math.min(1, Math.hypot(dx, dy) / FAR_CELLS);
      }
    }
    return { sub, srcWidth, srcHeight, runsX: Int32Array.from(runs), cellOfY, count, kx0, kx1, ky0, ky1, far, value: new Float32Array(this.cols * this.rows) };
  }

  /** The smoothed fill of plane 0 (Y), 1 (U) or 2 (V), one value per cell, row-major. */
  plane(index: number): Float32Array {
    return this.#grids[index]!.value;
  }

  /** Starts the fill from a canvas-sized yuv420p frame (the first-frame image) instead of the first source frame. */
  seed(canvasFrame: Uint8Array, canvas: Size): void {
    const planes = framePlanes(canvasFrame, canvas.width, canvas.height);
    this.#grids.forEach((g, p) => {
      const plane = planes[p]!;
      const sums = new Float32Array(this.cols * this.rows);
      const counts = new Float32Array(this.cols * this.rows);
      const cellPx = this.cell / g.sub;
      for (let y = 0; y < plane.height; y++) {
        const row = Math.floor(y / cellPx) * this.cols;
        for (let x = 0; x < plane.width; x++) {
          const k = row + Math.floor(x / cellPx);
          sums[k]! += plane.data[y * plane.width + x]!;
          counts[k]!++;
        }
      }
      for (let k = 0; k < sums.length; k++) g.value[k] = sums[k]! / Math.max(1, counts[k]!);
    });
    this.#primed = true;
  }

  /** Takes the next placed source frame (yuv420p, placed.width × placed.height) into the fill. */
  update(placedFrame: Uint8Array, placed: Size): void {
    const planes = framePlanes(placedFrame, placed.width, placed.height);
    this.#grids.forEach((g, p) => this.#updatePlane(g, planes[p]!.data));
    this.#primed = true;
  }

  #updatePlane(g: PlaneGrid, src: Uint8Array): void {
    const { cols, rows } = this;
    const sum = this.#sum;
    sum.fill(0);
    const runs = g.runsX;
    for (let j = 0; j < g.srcHeight; j++) {
      const row = g.cellOfY[j]! * cols;
      const base = j * g.srcWidth;
      for (let r = 0; r < runs.length; r += 3) {
        let acc = 0;
        for (let i = base + runs[r]!, end = base + runs[r + 1]!; i < end; i++) acc += src[i]!;
        sum[row + runs[r + 2]!]! += acc;
      }
    }
    const near = this.#near;
    for (let y = 0; y < rows; y++) {
      const my = mirror(y, g.ky0, g.ky1);
      for (let x = 0; x < cols; x++) {
        const k = my * cols + mirror(x, g.kx0, g.kx1);
        near[y * cols + x] = sum[k]! / g.count[k]!;
      }
    }
    const far = this.#far;
    if (this.#detail) far.set(near);
    boxBlur(near, cols, rows, NEAR_RADIUS, this.#tmp);
    boxBlur(near, cols, rows, NEAR_RADIUS, this.#tmp);
    if (this.#detail) {
      boxBlur(far, cols, rows, FAR_RADIUS, this.#tmp);
      boxBlur(far, cols, rows, FAR_RADIUS, this.#tmp);
    }
    const a = this.#primed ? this.#alpha : 1;
    const value = g.value;
    for (let k = 0; k < value.length; k++) {
      const t = this.#detail ? g.far[k]! : 0;
      const target = near[k]! + t * (far[k]! - near[k]!);
      value[k]! += a * (target - value[k]!);
    }
  }
}
