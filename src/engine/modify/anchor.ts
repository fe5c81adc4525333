// Carrying the edited first frame's own detail (what no colour transform explains: a painted-in
// object, retouched texture) through the video. The residual edited − transformed(first frame) is
// added back where the content has not moved since the first frame, measured by the mean luma
// difference per 8×8 block, smoothed, and allowed to change by at most 1/(0.3 s) per frame so a
// region lets the detail go (or takes it back) gradually instead of popping.
import type { FloatPlanes } from './local-grid.ts';

const BLOCK = 8;
/** Mean absolute luma difference per block below which content counts as unmoved (codec noise). */
const STILL_BELOW = 2.5;
/** ... and above which it counts as moved. */
const MOVED_ABOVE = 10;
const FADE_SECONDS = 0.3;
/** Time constant of the first frame's own hold: past it, `persistence` of the residual remains. */
export const HOLD_SECONDS = 0.2;

/** Per output position: the lower block, the next one, and the weight of the next (bilinear between block centres). */
interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  f: Float32Array;
}

function axis(count: number, blocks: number, posOf: (i: number) => number): Axis {
  const a = { i0: new Int32Array(count), i1: new Int32Array(count), f: new Float32Array(count) };
  for (let i = 0; i < count; i++) {
    const f = Math.min(blocks - 1, Math.max(0, posOf(i) / BLOCK - 0.5));
    const i0 = Math.floor(f);
    a.i0[i] = i0;
    a.i1[i] = Math.min(blocks - 1, i0 + 1);
    a.f[i] = f - i0;
  }
  return a;
}

export class Anchor {
  readonly #width: number;
  readonly #height: number;
  readonly #residual: FloatPlanes;
  readonly #firstLuma: Uint8Array;
  readonly #bw: number;
  readonly #bh: number;
  #mask: Float32Array;
  readonly #maxStep: number;
  readonly #blockOfColumn: Int32Array;
  readonly #cols: Axis;
  readonly #rows: Axis;
  readonly #chromaCols: Axis;
  readonly #chromaRows: Axis;
  /** One row of weights, reused. */
  readonly #row: Float32Array;

  /** `residual`: edited − transformed first frame; `firstLuma`: the source's first frame luma. */
  constructor(residual: FloatPlanes, firstLuma: Uint8Array, width: number, height: number, fps: number) {
    this.#width = width;
    this.#height = height;
    this.#residual = residual;
    this.#firstLuma = firstLuma.slice();
    this.#bw = Math.ceil(width / BLOCK);
    this.#bh = Math.ceil(height / BLOCK);
    this.#mask = new Float32Array(this.#bw * this.#bh).fill(1);
    this.#maxStep = 1 / Math.max(1, FADE_SECONDS * fps);
    this.#blockOfColumn = Int32Array.from({ length: width }, (_, x) => Math.floor(x / BLOCK));
    this.#cols = axis(width, this.#bw, (x) => x + 0.5);
    this.#rows = axis(height, this.#bh, (y) => y + 0.5);
    const cw = (width + 1) >> 1;
    this.#chromaCols = axis(cw, this.#bw, (cx) => 2 * cx + 0.5);
    this.#chromaRows = axis((height + 1) >> 1, this.#bh, (cy) => 2 * cy + 1);
    this.#row = new Float32Array(width);
  }

  /**
   * Updates the unmoved-content mask with the source frame's luma, against the first frame moved
   * by the camera's shift (sx, sy); what the first frame did not show counts as moved. Call once
   * per frame, in order.
   */
  #updateMask(luma: Uint8Array, sx: number, sy: number): void {
    const width = this.#width, height = this.#height;
    const bw = this.#bw, bh = this.#bh;
    const diff = new Float32Array(bw * bh);
    const count = new Float32Array(bw * bh);
    const blockOf = this.#blockOfColumn;
    const first = this.#firstLuma;
    const xa = Math.max(0, sx), xb = Math.min(width, width + sx);
    for (let y = 0; y < height; y++) {
      const brow = Math.floor(y / BLOCK) * bw;
      const fy = y - sy;
      const inside = fy >= 0 && fy < height;
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const b = brow + blockOf[x]!;
        diff[b]! += inside && x >= xa && x < xb ? Math.abs(luma[i]! - first[fy * width + x - sx]!) : 255;
        count[b]! += 1;
      }
    }
    const raw = new Float32Array(bw * bh);
    for (let b = 0; b < raw.length; b++) {
      const d = diff[b]! / count[b]!;
      raw[b] = Math.min(1, Math.max(0, (MOVED_ABOVE - d) / (MOVED_ABOVE - STILL_BELOW)));
    }
    // A 3×3 minimum: a block next to moving content is not trusted either (edges of a moving object).
    const next = new Float32Array(bw * bh);
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        let m = 1;
        for (let j = Math.max(0, by - 1); j <= Math.min(bh - 1, by + 1); j++) {
          for (let i = Math.max(0, bx - 1); i <= Math.min(bw - 1, bx + 1); i++) m = Math.min(m, raw[j * bw + i]!);
        }
        const prev = this.#mask[by * bw + bx]!;
        next[by * bw + bx] = Math.min(prev + this.#maxStep, Math.max(prev - this.#maxStep, m));
      }
    }
    this.#mask = next;
  }

  /** The mask at one row (`rows` entry r), across `cols`, times `hold`, into #row. */
  #maskRow(rows: Axis, r: number, cols: Axis, count: number, hold: number): Float32Array {
    const bw = this.#bw;
    const mask = this.#mask;
    const r0 = rows.i0[r]! * bw, r1 = rows.i1[r]! * bw, fy = rows.f[r]!;
    const out = this.#row;
    for (let x = 0; x < count; x++) {
      const c0 = cols.i0[x]!, c1 = cols.i1[x]!, fx = cols.f[x]!;
      const top = mask[r0 + c0]! + (mask[r0 + c1]! - mask[r0 + c0]!) * fx;
      const bottom = mask[r1 + c0]! + (mask[r1 + c1]! - mask[r1 + c0]!) * fx;
      out[x] = hold * (top + (bottom - top) * fy);
    }
    return out;
  }

  /**
   * Adds `hold` × mask × residual to `out` (in place), the residual moved with the camera by
   * (shiftX, shiftY) pixels, after reading the source frame's luma for the mask. `hold` is 1 on
   * the first frame.
   */
  apply(sourceLuma: Uint8Array, out: FloatPlanes, hold: number, shiftX = 0, shiftY = 0): void {
    // Whole pixels of luma and whole samples of chroma: a shift costs an index offset, no resampling.
    const sx = Math.round(shiftX), sy = Math.round(shiftY);
    this.#updateMask(sourceLuma, sx, sy);
    if (hold <= 0) return;
    const width = this.#width, height = this.#height;
    const res = this.#residual;
    for (let y = 0; y < height; y++) {
      const fy = y - sy;
      if (fy < 0 || fy >= height) continue;
      const w = this.#maskRow(this.#rows, y, this.#cols, width, hold);
      const base = y * width, from = fy * width - sx;
      for (let x = Math.max(0, sx); x < Math.min(width, width + sx); x++) out.y[base + x]! += w[x]! * res.y[from + x]!;
    }
    const cw = (width + 1) >> 1;
    const ch = (height + 1) >> 1;
    const csx = Math.round(shiftX / 2), csy = Math.round(shiftY / 2);
    for (let cy = 0; cy < ch; cy++) {
      const fy = cy - csy;
      if (fy < 0 || fy >= ch) continue;
      const w = this.#maskRow(this.#chromaRows, cy, this.#chromaCols, cw, hold);
      const base = cy * cw, from = fy * cw - csx;
      for (let cx = Math.max(0, csx); cx < Math.min(cw, cw + csx); cx++) {
        out.u[base + cx]! += w[cx]! * res.u[from + cx]!;
        out.v[base + cx]! += w[cx]! * res.v[from + cx]!;
      }
    }
  }
}
