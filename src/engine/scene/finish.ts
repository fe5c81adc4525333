// The last passes over a frame: fog that thickens towards the horizon and drifts in banks, a soft
// vignette, and the camera's roll. Fog and vignette are separable (a row factor times a column
// factor), so the per-pixel work is a multiply and a mix.
import type { Canvas } from './canvas.ts';
import type { Rgb } from './palette.ts';
import { rowOf, uOf } from './land.ts';
import { drift, HORIZON } from './view.ts';
import type { Clock, LayerMap } from './view.ts';

/** Per-row and per-column factors in 1/256 units, reused every frame. */
export class FinishScratch {
  readonly rowFog: Int32Array;
  readonly colFog: Int32Array;
  readonly rowVig: Int32Array;
  readonly colVig: Int32Array;
  readonly vignette: boolean;

  constructor(width: number, height: number, vignette: number) {
    this.rowFog = new Int32Array(height);
    this.colFog = new Int32Array(width);
    this.rowVig = new Int32Array(height);
    this.colVig = new Int32Array(width);
    this.vignette = vignette > 0;
    // cos⁴-like falloff, made separable: corners darken by about `vignette`.
    for (let y = 0; y < height; y++) this.rowVig[y] = Math.round(256 * (1 - vignette * (((y + 0.5) / height - 0.5) * 2) ** 2));
    for (let x = 0; x < width; x++) this.colVig[x] = Math.round(256 * (1 - vignette * 0.8 * (((x + 0.5) / width - 0.5) * 2) ** 2));
  }
}

/** Fog of density ∈ [0, 1] (0 skips it) and the vignette, in one pass. */
export function finish(c: Canvas, s: FinishScratch, fog: number, fogColour: Rgb, m: LayerMap, clock: Clock): void {
  const { width, height } = c;
  const { rowFog, colFog, rowVig, colVig } = s;
  if (fog <= 0 && !s.vignette) return;
  if (fog > 0) {
    const horizonRow = rowOf(m, HORIZON, height);
    for (let y = 0; y < height; y++) {
      // Thickest a little above the horizon, thinning upwards faster than downwards.
      const d = (y + 0.5 - horizonRow) / (height * m.zy);
      const band = d < -0.03 ? Math.exp(-(((d + 0.03) / 0.16) ** 2)) : Math.exp(-(((d + 0.03) / 0.5) ** 2));
      rowFog[y] = Math.round(256 * fog * (0.15 + 0.85 * band));
    }
    const a = drift(clock, 0.04), b = drift(clock, -0.025);
    for (let x = 0; x < width; x++) {
      const u = uOf(m, x, width, height);
      const banks = (0.5 + 0.5 * Math.sin(2 * Math.PI * (u * 0.9 + a))) * (0.6 + 0.4 * Math.sin(2 * Math.PI * (u * 2.3 + b) + 1.3));
      colFog[x] = Math.round(256 * Math.min(1, 0.55 + 0.55 * banks));
    }
  }
  // Integer arithmetic on a plain byte view: every result stays within 0–255 (a mix of two bytes,
  // then a factor ≤ 1), so the clamping view's float rounding is not needed here.
  const data = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.length);
  const [fr, fg, fb] = fogColour;
  const MAX_FOG = 235; // of 256: the scene always shows through
  for (let y = 0; y < height; y++) {
    const rf = fog > 0 ? rowFog[y]! : 0;
    const rv = rowVig[y]!;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      const v = (rv * colVig[x]!) >> 8;
      let r = data[o]!, g = data[o + 1]!, b = data[o + 2]!;
      if (rf > 0) {
        let k = (rf * colFog[x]!) >> 8;
        if (k > MAX_FOG) k = MAX_FOG;
        r += ((fr - r) * k) >> 8;
        g += ((fg - g) * k) >> 8;
        b += ((fb - b) * k) >> 8;
      }
      data[o] = (r * v) >> 8;
      data[o + 1] = (g * v) >> 8;
      data[o + 2] = (b * v) >> 8;
    }
  }
}

/**
 * How much a frame must be magnified for a roll of `angle` to keep its corners inside (as the
 * engine's poseWarp does for flat pictures). The scene is drawn that much wider first.
 */
export function rollFit(angle: number, width: number, height: number): number {
  const c = Math.abs(Math.cos(angle)), s = Math.abs(Math.sin(angle));
  return Math.max((width * c + height * s) / width, (width * s + height * c) / height);
}

/** Writes `src` turned by `angle` (radians, clockwise on screen) and shrunk by `fit` into `dst`. */
export function roll(src: Canvas, dst: Canvas, angle: number, fit: number): void {
  const { width, height } = dst;
  const sd = src.data, dd = dst.data;
  const cx = width / 2, cy = height / 2;
  const cos = Math.cos(angle) / fit, sin = Math.sin(angle) / fit;
  const maxX = width - 1.001, maxY = height - 1.001;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - cy;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      const dx = x + 0.5 - cx;
      let sx = cos * dx + sin * dy + cx - 0.5;
      let sy = -sin * dx + cos * dy + cy - 0.5;
      sx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      sy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const ix = sx | 0, iy = sy | 0;
      const fx = sx - ix, fy = sy - iy;
      const p = (iy * width + ix) * 3;
      const q = p + width * 3;
      for (let k = 0; k < 3; k++) {
        const top = sd[p + k]! + (sd[p + 3 + k]! - sd[p + k]!) * fx;
        const bot = sd[q + k]! + (sd[q + 3 + k]! - sd[q + k]!) * fx;
        dd[o + k] = top + (bot - top) * fy;
      }
    }
  }
}
