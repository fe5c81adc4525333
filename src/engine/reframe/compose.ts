// One canvas frame from one placed source frame and the fill, plane by plane in yuv420p. Inside
// the placed rectangle the source's samples are copied unchanged (row copies: the pixels survive
// exactly, up to the encoder). Outside, each sample is the fill (bilinear from its cells) blended
// over a seam of `seam` pixels (smoothstep by distance) with the source mirrored about its edge,
// so the picture continues outward sharp and fades into the fill with no visible line. (Repeating
// the edge sample instead, the classic edge extension, drew streaks across the seam.)
import { chromaSize, framePlanes, type Plane } from '../yuv.ts';
import type { FillModel } from './fill.ts';
import type { Rect, Size } from './geometry.ts';

/** The seam for a canvas: 1/24 of its short side (23 px at 540p, 45 at 1080p). */
export function seamFor(canvas: Size): number {
  return Math.max(4, Math.round(Math.min(canvas.width, canvas.height) / 24));
}

/** Precomputed per-axis tables of one plane; the geometry is fixed for a whole video. */
interface AxisMap {
  /** Source sample each canvas sample copies, or mirrors outside (reflected about the edge). */
  src: Int32Array;
  /** Distance to the source in luma pixels (0 inside). */
  dist: Int32Array;
  /** Fill cell below and the weight of the next one, for the bilinear sample. */
  cell: Int32Array;
  frac: Float32Array;
  /** Inside range [lo, hi) in plane samples. */
  lo: number;
  hi: number;
}

function axisMap(length: number, sub: number, start: number, extent: number, srcLength: number, cellPx: number, cells: number): AxisMap {
  // A sample is inside when its centre (sub * i + (sub - 1) / 2 in luma pixels) is; for chroma
  // next to an odd placement that is the sample whose two luma columns are both inside.
  const lo = Math.ceil((start - (sub - 1) / 2) / sub);
  const hi = Math.floor((start + extent - 1 - (sub - 1) / 2) / sub) + 1;
  const src = new Int32Array(length);
  const dist = new Int32Array(length);
  const cell = new Int32Array(length);
  const frac = new Float32Array(length);
  const at = (i: number): number => Math.floor((sub * i - start) / sub);
  const first = at(lo);
  const last = at(hi - 1);
  for (let i = 0; i < length; i++) {
    // Symmetric reflection: the first sample outside repeats the edge sample, the next its neighbour.
    const mirrored = i < lo ? first + (lo - 1 - i) : i >= hi ? last - (i - hi) : at(i);
    src[i] = Math.min(srcLength - 1, Math.max(0, mirrored));
    dist[i] = i < lo ? (lo - i) * sub : i >= hi ? (i - hi + 1) * sub : 0;
    const u = Math.min(cells - 1, Math.max(0, (i + 0.5) / cellPx - 0.5));
    const c = Math.min(cells - 2, Math.floor(u));
    cell[i] = Math.max(0, c);
    frac[i] = cells > 1 ? u - Math.max(0, c) : 0;
  }
  return { src, dist, cell, frac, lo, hi };
}

interface PlaneMap {
  x: AxisMap;
  y: AxisMap;
  width: number;
  height: number;
  srcWidth: number;
}

/** Composes canvas frames for one layout; create once per video. */
export class Compositor {
  readonly #canvas: Size;
  readonly #placed: Rect;
  readonly #maps: PlaneMap[];
  readonly #fill: FillModel;
  /** smoothstep(d / seam) for each squared distance d² < seam², else 1. */
  readonly #seamWeight: Float32Array;
  readonly #seam2: number;
  readonly #row: Float32Array;
  /** row[k + 1] − row[k], 0 past the last cell. */
  readonly #slope: Float32Array;

  constructor(canvas: Size, placed: Rect, fill: FillModel, seam: number) {
    this.#canvas = canvas;
    this.#placed = placed;
    this.#fill = fill;
    this.#seam2 = seam * seam;
    this.#seamWeight = Float32Array.from({ length: this.#seam2 }, (_, d2) => {
      const t = Math.sqrt(d2) / seam;
      return t * t * (3 - 2 * t);
    });
    this.#maps = [1, 2, 2].map((sub) => {
      const width = sub === 1 ? canvas.width : chromaSize(canvas.width);
      const height = sub === 1 ? canvas.height : chromaSize(canvas.height);
      const srcWidth = sub === 1 ? placed.width : chromaSize(placed.width);
      const srcHeight = sub === 1 ? placed.height : chromaSize(placed.height);
      const cellPx = fill.cell / sub;
      return {
        x: axisMap(width, sub, placed.x, placed.width, srcWidth, cellPx, fill.cols),
        y: axisMap(height, sub, placed.y, placed.height, srcHeight, cellPx, fill.rows),
        width, height, srcWidth,
      };
    });
    this.#row = new Float32Array(fill.cols);
    this.#slope = new Float32Array(fill.cols);
  }

  /** Writes the canvas frame for `placedFrame` (yuv420p of the placed size) into `out`. */
  compose(placedFrame: Uint8Array, out: Uint8Array): void {
    const src = framePlanes(placedFrame, this.#placed.width, this.#placed.height);
    const dst = framePlanes(out, this.#canvas.width, this.#canvas.height);
    for (let p = 0; p < 3; p++) this.#plane(this.#maps[p]!, src[p]!, dst[p]!, this.#fill.plane(p));
  }

  #plane(m: PlaneMap, src: Plane, dst: Plane, fill: Float32Array): void {
    const { x: mx, y: my, width, height, srcWidth } = m;
    const cols = this.#fill.cols;
    const row = this.#row;
    const slope = this.#slope;
    const seamWeight = this.#seamWeight;
    const seam2 = this.#seam2;
    const s = src.data;
    const d = dst.data;
    for (let y = 0; y < height; y++) {
      // The fill row at this height, interpolated between two cell rows.
      const c0 = my.cell[y]! * cols;
      const c1 = Math.min(this.#fill.rows - 1, my.cell[y]! + 1) * cols;
      const fy = my.frac[y]!;
      for (let k = 0; k < cols; k++) row[k] = fill[c0 + k]! + fy * (fill[c1 + k]! - fill[c0 + k]!);
      for (let k = 0; k < cols; k++) slope[k] = k + 1 < cols ? row[k + 1]! - row[k]! : 0;
      const dy = my.dist[y]!;
      const dy2 = dy * dy;
      const srcRow = my.src[y]! * srcWidth;
      const out = y * width;
      const inside = dy === 0;
      for (let x = 0; x < width; x++) {
        if (inside && x === mx.lo && mx.hi > mx.lo) {
          d.set(s.subarray(srcRow + mx.src[x]!, srcRow + mx.src[x]! + (mx.hi - mx.lo)), out + x);
          x = mx.hi - 1;
          continue;
        }
        const k = mx.cell[x]!;
        const bg = row[k]! + mx.frac[x]! * slope[k]!;
        const dx = mx.dist[x]!;
        const d2 = dx * dx + dy2;
        let v = bg;
        if (d2 < seam2) {
          const edge = s[srcRow + mx.src[x]!]!;
          v = edge + seamWeight[d2]! * (bg - edge);
        }
        // v is a convex blend of bytes, so within [0, 255]: round, no clamp.
        d[out + x] = (v + 0.5) | 0;
      }
    }
  }
}
