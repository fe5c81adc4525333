// Following a camera that pans: the global translation of the picture since the first frame,
// accumulated from frame-to-frame phase correlation of a downscaled luma (the engine's own,
// src/engine/phase.ts). The edit's detail and the local colour grid are placed by it, so an edit
// on the background travels with the background instead of staying on the screen like a stain.
// A zoom, a rotation or objects moving over a still background read as no shift: a shift is
// taken only when most of the picture agrees with it (block by block, it must explain the new
// frame better than no shift at all), so a textured object crossing a plain background, which
// can own the correlation's peak, does not drag the edit along with it.
import { patch, phaseCorrelate } from '../phase.ts';

/** Correlation peaks below this are unrelated frames (a cut, a flash): no shift is taken. */
const MIN_PEAK = 0.15;
/** Blocks of the small image the shift is checked on, and the mean difference that decides one. */
const CHECK_BLOCK = 8;
const DECISIVE = 1.5;

export class CameraShift {
  readonly #width: number;
  readonly #factor: number;
  readonly #sw: number;
  readonly #sh: number;
  readonly #n: number;
  #previous: Float64Array | null = null;
  /** Accumulated shift of the content since the first frame, in full-size pixels. */
  dx = 0;
  dy = 0;

  constructor(width: number, height: number) {
    this.#width = width;
    // About 160 samples on the short side: enough for a clean peak, cheap to correlate.
    this.#factor = Math.max(1, Math.floor(Math.min(width, height) / 160));
    this.#sw = Math.floor(width / this.#factor);
    this.#sh = Math.floor(height / this.#factor);
    this.#n = Math.min(128, 2 ** Math.floor(Math.log2(Math.min(this.#sw, this.#sh))));
  }

  #small(luma: Uint8Array): Float64Array {
    const f = this.#factor, sw = this.#sw, sh = this.#sh, w = this.#width;
    const out = new Float64Array(sw * sh);
    for (let y = 0; y < sh; y++) {
      for (let j = 0; j < f; j++) {
        const row = (y * f + j) * w;
        for (let x = 0; x < sw; x++) {
          let s = 0;
          for (let i = 0; i < f; i++) s += luma[row + x * f + i]!;
          out[y * sw + x]! += s / (f * f);
        }
      }
    }
    return out;
  }

  /** Reads the next frame's luma (frames in order, the first one included). */
  update(luma: Uint8Array): void {
    const small = this.#small(luma);
    const prev = this.#previous;
    this.#previous = small;
    if (!prev || this.#n < 16) return;
    const n = this.#n;
    const x0 = (this.#sw - n) >> 1, y0 = (this.#sh - n) >> 1;
    const s = phaseCorrelate(patch(prev, this.#sw, this.#sh, x0, y0, n), patch(small, this.#sw, this.#sh, x0, y0, n), n);
    // A still camera correlates at (0, 0) give or take a few hundredths; summing those would drift.
    if (s.peak < MIN_PEAK || Math.hypot(s.dx, s.dy) < 0.1 || !this.#agreed(prev, small, Math.round(s.dx), Math.round(s.dy))) return;
    this.dx += s.dx * this.#factor;
    this.dy += s.dy * this.#factor;
  }

  /** Whether most blocks that tell the two apart are explained better by the shift than by none. */
  #agreed(prev: Float64Array, cur: Float64Array, dx: number, dy: number): boolean {
    if (dx === 0 && dy === 0) return true;
    const sw = this.#sw, sh = this.#sh;
    let forShift = 0, forStill = 0, blocks = 0;
    for (let by = 0; by + CHECK_BLOCK <= sh; by += CHECK_BLOCK) {
      for (let bx = 0; bx + CHECK_BLOCK <= sw; bx += CHECK_BLOCK) {
        let still = 0, moved = 0, n = 0;
        for (let y = by; y < by + CHECK_BLOCK; y++) {
          const py = y - dy;
          if (py < 0 || py >= sh) continue;
          for (let x = bx; x < bx + CHECK_BLOCK; x++) {
            const px = x - dx;
            if (px < 0 || px >= sw) continue;
            const c = cur[y * sw + x]!;
            still += Math.abs(c - prev[y * sw + x]!);
            moved += Math.abs(c - prev[py * sw + px]!);
            n++;
          }
        }
        if (n < (CHECK_BLOCK * CHECK_BLOCK) / 2) continue;
        blocks++;
        if (still - moved > DECISIVE * n) forShift++;
        else if (moved - still > DECISIVE * n) forStill++;
      }
    }
    return forShift > 2 * forStill && forShift >= 0.3 * blocks;
  }
}
