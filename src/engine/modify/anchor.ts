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

export class Anchor {
  readonly #width: number;
  readonly #height: number;
  readonly #residual: FloatPlanes;
  readonly #firstLuma: Uint8Array;
  readonly #bw: number;
  readonly #bh: number;
  #mask: Float32Array;
  readonly #maxStep: number;

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
  }

  /** Updates the unmoved-content mask with the source frame's luma; call once per frame, in order. */
  #updateMask(luma: Uint8Array): void {
    const { width, height } = this;
    const bw = this.#bw, bh = this.#bh;
    const diff = new Float32Array(bw * bh);
    const count = new Float32Array(bw * bh);
    for (let y = 0; y < height; y++) {
      const brow = ((y / BLOCK) | 0) * bw;
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const b = brow + ((x / BLOCK) | 0);
        diff[b]! += Math.abs(luma[i]! - this.#firstLuma[i]!);
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

  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /**
   * Adds `hold` × mask × residual to `out` (in place), after reading the source frame's luma for
   * the mask. `hold` is 1 on the first frame.
   */
  apply(sourceLuma: Uint8Array, out: FloatPlanes, hold: number): void {
    this.#updateMask(sourceLuma);
    if (hold <= 0) return;
    const { width, height } = this;
    const bw = this.#bw, bh = this.#bh;
    const mask = this.#mask;
    // Bilinear in block centres.
    const axis = (pos: number, blocks: number): [number, number, number] => {
      const f = Math.min(blocks - 1, Math.max(0, pos / BLOCK - 0.5));
      const i0 = Math.floor(f);
      return [i0, Math.min(blocks - 1, i0 + 1), f - i0];
    };
    const cols = Array.from({ length: width }, (_, x) => axis(x + 0.5, bw));
    const weightAt = (row: [number, number, number], col: [number, number, number]): number => {
      const [r0, r1, fy] = row;
      const [c0, c1, fx] = col;
      const top = mask[r0 * bw + c0]! + (mask[r0 * bw + c1]! - mask[r0 * bw + c0]!) * fx;
      const bottom = mask[r1 * bw + c0]! + (mask[r1 * bw + c1]! - mask[r1 * bw + c0]!) * fx;
      return hold * (top + (bottom - top) * fy);
    };
    const res = this.#residual;
    for (let y = 0; y < height; y++) {
      const row = axis(y + 0.5, bh);
      for (let x = 0, i = y * width; x < width; x++, i++) out.y[i]! += weightAt(row, cols[x]!) * res.y[i]!;
    }
    const cw = (width + 1) >> 1;
    const ch = (height + 1) >> 1;
    for (let cy = 0; cy < ch; cy++) {
      const row = axis(2 * cy + 1, bh);
      for (let cx = 0; cx < cw; cx++) {
        const c = cy * cw + cx;
        const w = weightAt(row, cols[Math.min(width - 1, 2 * cx)]!);
        out.u[c]! += w * res.u[c]!;
        out.v[c]! += w * res.v[c]!;
      }
    }
  }
}
