// The scene's drawing surface: an rgb24 frame and the few primitives its layers need (soft glows,
// soft discs, streaks). A Uint8ClampedArray view clamps and rounds every write, so additive light
// never wraps. Each primitive touches only its bounding box: per-frame cost follows what is drawn.
import type { Rgb } from './palette.ts';

export interface Canvas {
  /** rgb24, row-major, no padding. */
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export function canvasOver(frame: Uint8Array, width: number, height: number): Canvas {
  return { data: new Uint8ClampedArray(frame.buffer, frame.byteOffset, width * height * 3), width, height };
}

/** Adds light around (cx, cy): colour × strength × (1 − d²/r²)², zero beyond r. */
export function glow(c: Canvas, cx: number, cy: number, r: number, colour: Rgb, strength: number): void {
  if (r <= 0 || strength <= 0) return;
  const { data, width, height } = c;
  const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(height - 1, Math.ceil(cy + r));
  const inv = 1 / (r * r);
  const cr = colour[0] * strength, cg = colour[1] * strength, cb = colour[2] * strength;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    const dy2 = dy * dy * inv;
    if (dy2 >= 1) continue;
    let o = (y * width + x0) * 3;
    for (let x = x0; x <= x1; x++, o += 3) {
      const dx = x + 0.5 - cx;
      const q = 1 - dx * dx * inv - dy2;
      if (q <= 0) continue;
      const f = q * q;
      data[o] = data[o]! + cr * f;
      data[o + 1] = data[o + 1]! + cg * f;
      data[o + 2] = data[o + 2]! + cb * f;
    }
  }
}

/** Blends a disc of radius r towards colour with opacity alpha, its edge softened over one pixel. */
export function disc(c: Canvas, cx: number, cy: number, r: number, colour: Rgb, alpha: number): void {
  const { data, width, height } = c;
  const rr = r + 1;
  const x0 = Math.max(0, Math.floor(cx - rr)), x1 = Math.min(width - 1, Math.ceil(cx + rr));
  const y0 = Math.max(0, Math.floor(cy - rr)), y1 = Math.min(height - 1, Math.ceil(cy + rr));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    let o = (y * width + x0) * 3;
    for (let x = x0; x <= x1; x++, o += 3) {
      const dx = x + 0.5 - cx;
      const cover = r + 0.5 - Math.sqrt(dx * dx + dy * dy);
      if (cover <= 0) continue;
      const a = alpha * (cover >= 1 ? 1 : cover);
      data[o] = data[o]! + (colour[0] - data[o]!) * a;
      data[o + 1] = data[o + 1]! + (colour[1] - data[o + 1]!) * a;
      data[o + 2] = data[o + 2]! + (colour[2] - data[o + 2]!) * a;
    }
  }
}

/**
 * A mostly vertical streak from (x0, y0) to (x1, y1), `thickness` pixels wide, blended towards
 * colour with opacity fading from `alpha` at the head (y1) to a third of it at the tail.
 */
export function streak(c: Canvas, x0: number, y0: number, x1: number, y1: number, thickness: number, colour: Rgb, alpha: number): void {
  const { data, width, height } = c;
  const len = Math.max(1, Math.ceil(Math.abs(y1 - y0)));
  const dx = (x1 - x0) / len;
  const dy = (y1 - y0) / len;
  for (let s = 0; s <= len; s++) {
    const y = Math.floor(y0 + dy * s);
    if (y < 0 || y >= height) continue;
    const a = alpha * (0.35 + (0.65 * s) / len);
    const xs = Math.floor(x0 + dx * s);
    for (let k = 0; k < thickness; k++) {
      const x = xs + k;
      if (x < 0 || x >= width) continue;
      const o = (y * width + x) * 3;
      data[o] = data[o]! + (colour[0] - data[o]!) * a;
      data[o + 1] = data[o + 1]! + (colour[1] - data[o + 1]!) * a;
      data[o + 2] = data[o + 2]! + (colour[2] - data[o + 2]!) * a;
    }
  }
}

/** Blends an axis-aligned rectangle (pixel bounds, clipped) towards colour. */
export function rect(c: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, alpha: number): void {
  const { data, width, height } = c;
  const xa = Math.max(0, Math.round(x0)), xb = Math.min(width, Math.round(x1));
  const ya = Math.max(0, Math.round(y0)), yb = Math.min(height, Math.round(y1));
  for (let y = ya; y < yb; y++) {
    for (let x = xa, o = (y * width + xa) * 3; x < xb; x++, o += 3) {
      data[o] = data[o]! + (colour[0] - data[o]!) * alpha;
      data[o + 1] = data[o + 1]! + (colour[1] - data[o + 1]!) * alpha;
      data[o + 2] = data[o + 2]! + (colour[2] - data[o + 2]!) * alpha;
    }
  }
}
