// Below the horizon: water that mirrors what is above it, or ground. The reflection is a copy of
// the mirrored row, displaced sideways by waves that grow towards the viewer (nearer water looks
// rougher) and move over time, mixed with the water's own colour more as the view steepens
// (Fresnel). Under the sun or moon a glitter path sparkles. Wet streets reuse the same mirror,
// fainter. Every step is per row, plus one copy-and-mix per pixel.
import type { Canvas } from './canvas.ts';
import type { Palette, Rgb } from './palette.ts';
import { hash3 } from './random.ts';
import { rowOf } from './land.ts';
import { cycles, HORIZON, tickOf } from './view.ts';
import type { Clock, LayerMap } from './view.ts';

export interface SurfaceOptions {
  /** Share of the mirror at the horizon (Fresnel falls from it towards the viewer). */
  reflect: number;
  /** Wave displacement in pixels at 1080p, near the viewer. */
  waves: number;
  /** Glitter under the light source (water), none on a street. */
  glitter: boolean;
  colour: Rgb;
  /** Stripes of a surface that recede to the horizon (furrows, lanes): 0 for none. */
  stripes: number;
  /** Mirror rows per surface row: 1 for water; under 1 stretches reflections down, as on a wet street. */
  stretch: number;
}

/** Fills every row below the horizon. `sunX` is the screen column of the light source. */
export function drawSurface(c: Canvas, p: Palette, o: SurfaceOptions, m: LayerMap, clock: Clock, sunX: number, seed: number): void {
  const { data, width, height } = c;
  const horizonRow = rowOf(m, HORIZON, height);
  const first = Math.max(0, Math.ceil(horizonRow - 0.5));
  if (first >= height) return;
  const scale = height / 1080;
  const waveCycles = cycles(clock, 0.35 * p.pace);
  const swellCycles = cycles(clock, 0.18 * p.pace);
  const phase = 2 * Math.PI * clock.tau;
  const tick = tickOf(clock, 8);
  const stride = width * 3;
  for (let y = first; y < height; y++) {
    const dist = y + 0.5 - horizonRow; // pixels below the horizon
    // Depth below the horizon in world units: 0 at the horizon, ~0.4 at the bottom of the frame.
    const dv = dist / (height * m.zy);
    const near = Math.min(1, dv / 0.35);
    const fresnel = o.reflect * (1 - 0.65 * near);
    // Two wave trains: a fine chop whose rows race by, and a slow swell.
    const wob = Math.sin(dv * 900 / (0.4 + near) - phase * waveCycles) * 0.7 + Math.sin(dv * 140 + phase * swellCycles) * 0.3;
    const dx = Math.round(o.waves * scale * (0.15 + near * near) * wob);
    const src = Math.max(0, Math.min(height - 1, Math.floor(horizonRow - dist * o.stretch)));
    const light = 1 + 0.12 * wob * near * (o.glitter ? 1 : 0);
    let stripe = 1;
    if (o.stripes > 0) stripe = 1 + o.stripes * Math.sin((0.02 / (dv + 0.004)) * Math.PI);
    // Far surface fades into the haze at the horizon.
    const hz = 0.5 * (1 - near) * (1 - near);
    // Fixed point (1/256): the surface's own colour share and the mirror's, times the light.
    const keep = 1 - fresnel;
    const wr = Math.round((o.colour[0] + (p.haze[0] - o.colour[0]) * hz) * stripe * keep * light * 256);
    const wg = Math.round((o.colour[1] + (p.haze[1] - o.colour[1]) * hz) * stripe * keep * light * 256);
    const wb = Math.round((o.colour[2] + (p.haze[2] - o.colour[2]) * hz) * stripe * keep * light * 256);
    const fr = Math.round(fresnel * light * 256);
    const fb = Math.round(fresnel * light * 1.06 * 256);
    const so = src * stride;
    let out = y * stride;
    for (let x = 0; x < width; x++, out += 3) {
      let sx = x + dx;
      sx = sx < 0 ? 0 : sx >= width ? width - 1 : sx;
      const s = so + sx * 3;
      data[out] = (data[s]! * fr + wr) >> 8;
      data[out + 1] = (data[s + 1]! * fr + wg) >> 8;
      data[out + 2] = (data[s + 2]! * fb + wb) >> 8;
    }
    if (o.glitter) glitterRow(data, y, width, dv, near, sunX, p, tick, seed);
  }
}

/** Sparkles in a path under the light that widens towards the viewer. */
function glitterRow(data: Uint8ClampedArray, y: number, width: number, dv: number, near: number, sunX: number, p: Palette, tick: number, seed: number): void {
  const half = (0.03 + near * 0.12) * width;
  const x0 = Math.max(0, Math.floor(sunX - half)), x1 = Math.min(width - 1, Math.ceil(sunX + half));
  const strength = (p.moon ? 0.6 : 1) * Math.min(1, p.glowStrength * 1.4);
  const row = Math.floor(dv * 2000);
  for (let x = x0; x <= x1; x++) {
    const off = Math.abs(x - sunX) / half;
    const h = hash3(x >> 1, row, tick, seed);
    const chance = 0.82 + 0.16 * off;
    if (h < chance) continue;
    const a = strength * (1 - off) * ((h - chance) / (1 - chance));
    const o = (y * width + x) * 3;
    data[o] = data[o]! + p.sun[0] * a;
    data[o + 1] = data[o + 1]! + p.sun[1] * a;
    data[o + 2] = data[o + 2]! + p.sun[2] * a;
  }
}
