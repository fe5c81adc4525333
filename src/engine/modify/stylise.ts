// The stronger modes' departure from the source, in increasing amounts: the colour change pushed
// past the edit (up to 35 % further from the source), an edge-preserving smoothing of luma (a
// guided filter with the frame as its own guide: flat areas go smooth, edges stay), posterised
// tones and film grain. Draft quality skips the smoothing, the costly part.
import type { FloatPlanes } from './local-grid.ts';

export interface StyliseOptions {
  /** 0 (nothing) to 1 (the strongest look). */
  amount: number;
  /** Skip the edge-preserving smoothing. */
  draft: boolean;
  /** Frame number: the grain's seed, so every frame has its own and a rerun the same. */
  frame: number;
}

/** Box mean of radius r along rows then columns, into `out` (a Float32Array of the same size). */
function boxMean(src: Float32Array, width: number, height: number, r: number, tmp: Float32Array, out: Float32Array): void {
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let sum = 0;
    for (let x = -r - 1; x < r; x++) sum += src[base + Math.min(width - 1, Math.max(0, x))]!;
    for (let x = 0; x < width; x++) {
      sum += src[base + Math.min(width - 1, x + r)]! - src[base + Math.max(0, x - r - 1)]!;
      tmp[base + x] = sum / (2 * r + 1);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = -r - 1; y < r; y++) sum += tmp[Math.min(height - 1, Math.max(0, y)) * width + x]!;
    for (let y = 0; y < height; y++) {
      sum += tmp[Math.min(height - 1, y + r) * width + x]! - tmp[Math.max(0, y - r - 1) * width + x]!;
      out[y * width + x] = sum / (2 * r + 1);
    }
  }
}

/** Scratch planes reused from frame to frame. */
export class Styliser {
  readonly #width: number;
  readonly #height: number;
  readonly #a: Float32Array;
  readonly #b: Float32Array;
  readonly #c: Float32Array;
  readonly #d: Float32Array;

  constructor(width: number, height: number) {
    this.#width = width;
    this.#height = height;
    const n = width * height;
    this.#a = new Float32Array(n);
    this.#b = new Float32Array(n);
    this.#c = new Float32Array(n);
    this.#d = new Float32Array(n);
  }

  /** Stylises `planes` in place; `source` is the frame they were made from. */
  apply(planes: FloatPlanes, source: { y: Uint8Array; u: Uint8Array; v: Uint8Array }, o: StyliseOptions): void {
    const s = Math.min(1, Math.max(0, o.amount));
    if (s === 0) return;
    const width = this.#width, height = this.#height;
    const n = width * height;
    const y = planes.y;
    // Exaggeration first: it moves every pixel further along its own change, so the distance from
    // the source grows with the amount whatever the edit was.
    const push = 0.35 * s;
    for (const k of ['y', 'u', 'v'] as const) {
      const p = planes[k], src = source[k];
      for (let i = 0; i < p.length; i++) p[i]! += push * (p[i]! - src[i]!);
    }
    if (!o.draft) {
      // Guided filter, guide = input: q = a·I + (1 − a)·mean, a = var / (var + ε). ε grows with
      // the amount, so more and more texture counts as "flat".
      const r = Math.max(2, Math.round((2 + 4 * s) * (Math.min(width, height) / 540)));
      const eps = (6 + 30 * s) ** 2;
      const mean = this.#a, meanSq = this.#b, tmp = this.#c, sq = this.#d;
      for (let i = 0; i < n; i++) sq[i] = y[i]! * y[i]!;
      boxMean(y, width, height, r, tmp, mean);
      boxMean(sq, width, height, r, tmp, meanSq);
      for (let i = 0; i < n; i++) {
        const m = mean[i]!;
        const variance = Math.max(0, meanSq[i]! - m * m);
        const a = variance / (variance + eps);
        y[i] = a * y[i]! + (1 - a) * m;
      }
    }
    // Posterise towards 32 − 24·s tone levels (a soft step: a share of the way to the level).
    const levels = 32 - 24 * s;
    const step = 219 / (levels - 1);
    const pull = 0.8 * s;
    // Grain: a hash of (x, y, frame), triangular in [−1, 1], ±6 levels at full amount.
    const grain = 6 * s;
    const seed = Math.imul(o.frame + 1, 0x9e3779b1);
    for (let i = 0; i < n; i++) {
      const v = y[i]!;
      const level = 16 + Math.round((v - 16) / step) * step;
      let h = Math.imul(i ^ seed, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const noise = ((h & 0xffff) + ((h >>> 16) & 0xffff)) / 65535 - 1;
      y[i] = v + pull * (level - v) + grain * noise;
    }
  }
}
