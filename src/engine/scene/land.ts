// Drawing a silhouette layer for one frame: per column, one table lookup for the height at that
// column's world position; then a run of pixels down to the horizon (or the bottom) in the row's
// colour times the column's light. The top pixel is blended by coverage, so slow parallax glides
// instead of stepping. Cities add lit windows (a hash per window cell) and neon signs.
import { glow, rect } from './canvas.ts';
import type { Canvas } from './canvas.ts';
import type { Rgb } from './palette.ts';
import { frac, hash3 } from './random.ts';
import { PERIOD, SAMPLES } from './ridges.ts';
import type { Ridge } from './ridges.ts';
import { HORIZON } from './view.ts';
import type { LayerMap } from './view.ts';

/** Window grid in world units: columns and floors. */
const WIN_X = 0.0085;
const WIN_Y = 0.0125;

/** Scratch arrays sized for one canvas, reused by every layer and frame. */
export class LandScratch {
  readonly top: Float64Array;
  readonly u: Float64Array;
  readonly rowR: Float32Array;
  readonly rowG: Float32Array;
  readonly rowB: Float32Array;
  constructor(width: number, height: number) {
    this.top = new Float64Array(width);
    this.u = new Float64Array(width);
    this.rowR = new Float32Array(height);
    this.rowG = new Float32Array(height);
    this.rowB = new Float32Array(height);
  }
}

/** Screen row (float, pixel centres at k + 0.5) of world height v for a layer. */
export const rowOf = (m: LayerMap, v: number, height: number): number => ((v - HORIZON) * m.zy + m.horizonY) * height + height / 2;

/** World u of a column's centre. */
export const uOf = (m: LayerMap, x: number, width: number, height: number): number => (x + 0.5 - width / 2) / height / m.zx + m.ox;

/** A silhouette's height at world u (linear between table samples). */
export function heightAt(table: Float32Array, u: number): number {
  const p = frac(u / PERIOD) * SAMPLES;
  const i = Math.floor(p);
  const f = p - i;
  return table[i]! * (1 - f) + table[(i + 1) % SAMPLES]! * f;
}

export function drawRidge(c: Canvas, ridge: Ridge, m: LayerMap, s: LandScratch, seed: number, tick: number): void {
  const { data, width, height } = c;
  const { top, u, rowR, rowG, rowB } = s;
  const horizonRow = rowOf(m, HORIZON, height);
  const bottom = ridge.toBottom ? height : Math.min(height, Math.max(0, Math.ceil(horizonRow)));
  // Row colour: the layer's colour at its peaks, fading to haze towards the horizon.
  let maxH = 0;
  for (let i = 0; i < SAMPLES; i += 16) maxH = Math.max(maxH, ridge.heights[i]!);
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5 - height / 2) / height;
    const above = (HORIZON - ((v - m.horizonY) / m.zy + HORIZON)) / Math.max(1e-6, maxH);
    const f = Math.max(0, Math.min(1, above));
    rowR[y] = ridge.base[0] + (ridge.top[0] - ridge.base[0]) * f;
    rowG[y] = ridge.base[1] + (ridge.top[1] - ridge.base[1]) * f;
    rowB[y] = ridge.base[2] + (ridge.top[2] - ridge.base[2]) * f;
  }
  const b = ridge.buildings;
  // Row of the snow line (snow above it), moved per column by the face's light below.
  const snowRow = ridge.snowCap > 0 ? rowOf(m, HORIZON - ridge.snowCap * maxH, height) : -1;
  const snowJag = 0.05 * maxH * m.zy * height;
  for (let x = 0; x < width; x++) {
    const ux = uOf(m, x, width, height);
    u[x] = ux;
    const h = heightAt(ridge.heights, ux);
    const yTop = rowOf(m, HORIZON - h, height) - 0.5;
    top[x] = yTop;
    const p = frac(ux / PERIOD) * SAMPLES;
    const shade = ridge.shade[Math.floor(p) % SAMPLES]! - 1;
    // A face's light shows near the crest and fades down the slope (into shadow and haze), so
    // columns are not lit top to bottom like stripes.
    const fade = 1 / Math.max(1, 0.08 * m.zy * height);
    const y0 = Math.max(0, Math.floor(yTop));
    // The snow line wanders with the terrain: the same table read at another scale.
    const jag = snowRow > 0 ? (heightAt(ridge.heights, ux * 2.3 + 1.3) / maxH - 0.5) * 3 + shade * 2 : 0;
    const bi = b ? b.index[Math.floor(p) % SAMPLES]! : -1;
    // Window column of this pixel column, or -1 (between windows, or not a building).
    let winCol = -1;
    if (bi >= 0 && b && ridge.windowColour) {
      const lx = (frac((ux - b.left[bi]!) / PERIOD) * PERIOD) / WIN_X;
      const k = Math.floor(lx);
      const fx = lx - k;
      if (fx > 0.3 && fx < 0.72 && k >= 1) winCol = k;
    }
    let o = (y0 * width + x) * 3;
    const stride = width * 3;
    for (let y = y0; y < bottom; y++, o += stride) {
      const down = (y - yTop) * fade;
      const light = down >= 1 ? 1 : 1 + shade * (1 - down);
      let r = rowR[y]! * light, g = rowG[y]! * light, bl = rowB[y]! * light;
      if (snowRow > 0 && y < snowRow + snowJag * jag) {
        const k = 0.8 * Math.min(1.1, light);
        r = ridge.snow[0] * k; g = ridge.snow[1] * k; bl = ridge.snow[2] * k;
      }
      if (winCol >= 0 && b) {
        const up = (horizonRow - y - 0.5) / (m.zy * height) / WIN_Y;
        const row = Math.floor(up);
        const fy = up - row;
        if (fy > 0.25 && fy < 0.7 && row >= 1 && (row + 1.2) * WIN_Y < b.height[bi]!) {
          const hsh = hash3(bi, winCol, row, seed);
          const lit = b.lit[bi]!;
          // A few lit windows change over the video (someone switches a light), on whole ticks.
          const on = hsh < lit ? hash3(bi, winCol, row + 7919 * tick, seed) > 0.015 : false;
          if (on) {
            const w = ridge.windowColour!;
            const k = 0.65 + 0.35 * frac(hsh * 97);
            r = w[0] * k; g = w[1] * k; bl = w[2] * k;
          } else if (lit === 0) {
            // By day, windows are the glass of the facade: a little lighter than the wall.
            r *= 1.25; g *= 1.28; bl *= 1.35;
          }
        }
      }
      if (y === y0 && yTop > y0) {
        // The top pixel is only partly covered: blend by coverage.
        const cover = 1 - (yTop - y0);
        data[o] = data[o]! + (r - data[o]!) * cover;
        data[o + 1] = data[o + 1]! + (g - data[o + 1]!) * cover;
        data[o + 2] = data[o + 2]! + (bl - data[o + 2]!) * cover;
        continue;
      }
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = bl;
    }
  }
}

/**
 * Neon signs of a city layer: a bright tube colour with a coloured glow around it, each flickering
 * on its own ticks (an old tube dropping out now and then).
 */
export function drawSigns(c: Canvas, ridge: Ridge, m: LayerMap, tick: number, seed: number, glowScale: number): void {
  const b = ridge.buildings;
  if (!b || b.signs.length === 0) return;
  const { width, height } = c;
  const halfSpan = (width / height / 2) / m.zx + 0.2;
  const uCentre = m.ox;
  for (const [k, s] of b.signs.entries()) {
    // Copies of the sign one period to either side, for whichever is on screen.
    const baseU = b.left[s.building]!;
    for (const shift of [-PERIOD, 0, PERIOD]) {
      const u0 = baseU + s.x0 + shift;
      if (Math.abs(u0 - uCentre) > halfSpan) continue;
      const flick = hash3(k, tick, 3, seed);
      const level = flick < 0.06 ? 0.15 : flick < 0.12 ? 0.6 : 1;
      const x0 = ((u0 - m.ox) * m.zx) * height + width / 2;
      const x1 = ((baseU + s.x1 + shift - m.ox) * m.zx) * height + width / 2;
      const y1 = rowOf(m, HORIZON - s.y0, height);
      const y0 = rowOf(m, HORIZON - s.y1, height);
      const core: Rgb = [
        Math.min(255, s.colour[0] * 0.6 + 110), Math.min(255, s.colour[1] * 0.6 + 110), Math.min(255, s.colour[2] * 0.6 + 110),
      ];
      rect(c, x0, y0, x1, y1, s.colour, 0.9 * level);
      const inset = Math.max(1, Math.min(x1 - x0, y1 - y0) * 0.3);
      rect(c, x0 + inset, y0 + inset, x1 - inset, y1 - inset, core, 0.8 * level);
      const w = x1 - x0;
      const h = y1 - y0;
      const r = (Math.max(w, h) * 0.5 + 0.03 * height) * glowScale;
      const steps = Math.max(1, Math.round(Math.max(w, h) / Math.max(1, Math.min(w, h)) / 1.5));
      for (let i = 0; i < steps; i++) {
        const f = (i + 0.5) / steps;
        const cx = w > h ? x0 + w * f : (x0 + x1) / 2;
        const cy = w > h ? (y0 + y1) / 2 : y0 + h * f;
        glow(c, cx, cy, r / Math.sqrt(steps) + 0.02 * height, s.colour, (0.55 * level) / Math.sqrt(steps));
      }
    }
  }
}
