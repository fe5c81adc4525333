// The sky layer: a three-stop gradient by elevation, the glow of the sun (or moon) spread wide
// along the horizon, the disc itself, twinkling stars, drifting clouds and lightning. The gradient
// and glow are the one pass that writes every pixel; everything else touches only its box.
import { disc, glow } from './canvas.ts';
import type { Canvas } from './canvas.ts';
import { mix } from './palette.ts';
import type { Palette, Rgb } from './palette.ts';
import { frac } from './random.ts';
import type { Rng } from './random.ts';
import { rowOf } from './land.ts';
import { cycles, drift, HORIZON } from './view.ts';
import type { Clock, LayerMap } from './view.ts';

export interface Star { u: number; v: number; size: number; bright: number; rate: number; phase: number }
export interface Cloud { u: number; v: number; puffs: { du: number; dv: number; rx: number; ry: number }[]; speed: number }

export interface SkyPlan {
  sunU: number;
  stars: Star[];
  /** 0 (no stars) to 1 (full night). */
  starLight: number;
  clouds: Cloud[];
  /** Lightning flashes: the τ at which each strikes. */
  flashes: number[];
}

// The glow's falloff (1 / (1 + q))² over q ∈ [0, 15] (beyond, it adds under 1/255), tabulated.
const GLOW_STEPS = 256;
const GLOW_LUT = Float32Array.from({ length: 15 * GLOW_STEPS + 2 }, (_, i) => (1 / (1 + i / GLOW_STEPS)) ** 2);

/** Period of the star field and the cloud deck along u, in world units. */
const SKY_PERIOD = 6;

export function planSky(rng: Rng, o: { aspect: number; stars: boolean; starLight: number; clouds: boolean; storm: boolean; draft: boolean; cloudAmount: number }): SkyPlan {
  const starRng = rng.fork('stars');
  const n = o.stars ? (o.draft ? 220 : 420) : 0;
  const stars = Array.from({ length: n }, (): Star => ({
    u: starRng.range(0, SKY_PERIOD), v: HORIZON - 0.03 - 0.75 * starRng.next() ** 0.8,
    size: starRng.next() < 0.08 ? starRng.range(1.4, 2.2) : starRng.range(0.6, 1.1), bright: starRng.range(0.25, 1), rate: starRng.range(0.3, 1.4), phase: starRng.next(),
  }));
  const cloudRng = rng.fork('clouds');
  const nc = o.clouds ? Math.round((o.draft ? 7 : 12) * o.cloudAmount) : 0;
  const clouds = Array.from({ length: nc }, (): Cloud => {
    const width = cloudRng.range(0.18, 0.45);
    const puffs = Array.from({ length: o.draft ? 4 : 7 }, () => ({
      du: cloudRng.range(-0.5, 0.5) * width, dv: cloudRng.range(-0.015, 0.01), rx: cloudRng.range(0.25, 0.5) * width, ry: cloudRng.range(0.025, 0.06),
    }));
    return { u: cloudRng.range(0, SKY_PERIOD), v: HORIZON - cloudRng.range(0.08, 0.5), puffs, speed: cloudRng.range(0.012, 0.03) };
  });
  const flashRng = rng.fork('flashes');
  const flashes = o.storm ? [flashRng.range(0.1, 0.45), flashRng.range(0.55, 0.9)] : [];
  return { sunU: rng.fork('sun').range(-0.3, 0.3) * Math.min(1, o.aspect), stars, starLight: o.starLight, clouds, flashes };
}

/** Brightness of a lightning flash at τ: a sharp strike, a flicker, a fade over about 0.4 s. */
export function flashAt(plan: SkyPlan, clock: Clock): number {
  let f = 0;
  for (const at of plan.flashes) {
    const dt = (clock.tau - at) * clock.seconds;
    if (dt < 0 || dt > 0.45) continue;
    f = Math.max(f, dt < 0.06 ? 1 : dt < 0.12 ? 0.35 : dt < 0.18 ? 0.8 : 0.8 * Math.exp(-(dt - 0.18) * 12));
  }
  return f;
}

/** Paints the whole canvas with the sky (rows below the horizon get the horizon's colour). */
export function drawSky(c: Canvas, p: Palette, plan: SkyPlan, m: LayerMap, clock: Clock, flash: number): void {
  const { data, width, height } = c;
  const sunX = (plan.sunU - m.ox) * m.zx * height + width / 2;
  const sunY = rowOf(m, HORIZON - p.sunHeight, height);
  const horizonRow = rowOf(m, HORIZON, height);
  const spread = p.glowSize * height * m.zy;
  const inv = 1 / (spread * spread);
  const g0 = p.glow[0] * p.glowStrength, g1 = p.glow[1] * p.glowStrength, g2 = p.glow[2] * p.glowStrength;
  const lightning: Rgb = [190, 195, 230];
  // Rows below the horizon are covered by water or ground (which only read the sky above it).
  const last = Math.min(height, Math.ceil(horizonRow) + 1);
  // Beyond about 3 glow radii the glow adds less than 1/255: those pixels take the row's colour.
  const reach = spread * Math.sqrt(3);
  for (let y = 0; y < last; y++) {
    // Elevation above the horizon, 0 … 1 over the usual sky.
    const e = Math.max(0, (horizonRow - y - 0.5) / (height * m.zy * 0.62));
    // Horizon → middle over the lowest 30%, middle → top above (no allocation: this runs per row).
    const lo = e < 0.3 ? p.skyHorizon : p.skyMid;
    const hi = e < 0.3 ? p.skyMid : p.skyTop;
    const k = e < 0.3 ? e / 0.3 : Math.min(1, (e - 0.3) / 0.7);
    const lit = 0.6 * flash;
    const r = lo[0] + (hi[0] - lo[0]) * k + lightning[0] * lit;
    const g = lo[1] + (hi[1] - lo[1]) * k + lightning[1] * lit;
    const b = lo[2] + (hi[2] - lo[2]) * k + lightning[2] * lit;
    // The glow is wider than tall and stays above the horizon line (the ground hides the rest).
    const dy = (y + 0.5 - sunY) * 1.8;
    const dy2 = dy * dy * inv;
    const rowStart = y * width * 3;
    const halfWidth = dy2 < 3 ? reach * Math.sqrt(1 - dy2 / 3) : 0;
    const x0 = Math.max(0, Math.min(width, Math.floor(sunX - halfWidth)));
    const x1 = Math.max(x0, Math.min(width, Math.ceil(sunX + halfWidth)));
    data[rowStart] = r;
    data[rowStart + 1] = g;
    data[rowStart + 2] = b;
    // Doubling copies fill the row outside the glow with its first pixel.
    fillRow(data, rowStart, 0, x0);
    fillRow(data, rowStart, x1, width);
    let o = rowStart + x0 * 3;
    const qy = 5 * dy2;
    for (let x = x0; x < x1; x++, o += 3) {
      const dx = x + 0.5 - sunX;
      // (1 / (1 + q))² from a table: a division per pixel was the pass's main cost.
      const f = GLOW_LUT[((5 * dx * dx * inv + qy) * GLOW_STEPS) | 0] ?? 0;
      data[o] = r + g0 * f;
      data[o + 1] = g + g1 * f;
      data[o + 2] = b + g2 * f;
    }
  }
  const sunR = p.sunRadius * height * m.zy;
  if (p.sunVisible && sunY - sunR < horizonRow) {
    disc(c, sunX, sunY, sunR, p.sun, 1);
    if (p.moon) {
      // Maria: a few darker patches make the disc read as the moon.
      const dark: Rgb = [150, 158, 180];
      disc(c, sunX - sunR * 0.3, sunY - sunR * 0.2, sunR * 0.35, dark, 0.35);
      disc(c, sunX + sunR * 0.25, sunY + sunR * 0.3, sunR * 0.25, dark, 0.3);
      disc(c, sunX + sunR * 0.35, sunY - sunR * 0.35, sunR * 0.18, dark, 0.25);
    }
    // The halo is added over the disc, so the disc stays the brightest thing in the sky.
    glow(c, sunX, sunY, sunR * 3.2, p.sun, p.moon ? 0.25 : 0.45);
  }
  drawStars(c, plan, m, clock);
  drawClouds(c, p, plan, m, clock, flash);
}

/** Copies the pixel at `rowStart` over pixels [from, to) of the same row. */
function fillRow(data: Uint8ClampedArray, rowStart: number, from: number, to: number): void {
  if (to <= from) return;
  const first = rowStart + from * 3;
  const end = rowStart + to * 3;
  if (from !== 0) data.copyWithin(first, rowStart, rowStart + 3);
  let filled = 3;
  while (first + filled < end) {
    const n = Math.min(filled, end - first - filled);
    data.copyWithin(first + filled, first, first + n);
    filled += n;
  }
}

function drawStars(c: Canvas, plan: SkyPlan, m: LayerMap, clock: Clock): void {
  if (plan.stars.length === 0 || plan.starLight <= 0) return;
  const { data, width, height } = c;
  const scale = height / 1080;
  const horizonRow = rowOf(m, HORIZON, height);
  const white: Rgb = [235, 240, 255];
  for (const s of plan.stars) {
    const u = frac((s.u - m.ox) / SKY_PERIOD + 0.5) * SKY_PERIOD - SKY_PERIOD / 2;
    const x = u * m.zx * height + width / 2;
    if (x < -4 || x > width + 4) continue;
    const y = rowOf(m, s.v, height);
    if (y < -4 || y > horizonRow - 2) continue;
    // Dimmer near the horizon, where there is more air to look through.
    const air = Math.min(1, (horizonRow - y) / (0.15 * height));
    const twinkle = 0.7 + 0.3 * Math.sin(2 * Math.PI * (cycles(clock, s.rate) * clock.tau + s.phase));
    const a = s.bright * twinkle * air * plan.starLight;
    const r = s.size * Math.max(1, 2 * scale);
    if (r > 1.6) {
      glow(c, x, y, r * 2.2, white, a * 0.9);
      continue;
    }
    const xi = Math.floor(x), yi = Math.floor(y);
    if (xi < 0 || xi >= width || yi < 0 || yi >= height) continue;
    const o = (yi * width + xi) * 3;
    data[o] = data[o]! + 230 * a;
    data[o + 1] = data[o + 1]! + 235 * a;
    data[o + 2] = data[o + 2]! + 250 * a;
  }
}

function drawClouds(c: Canvas, p: Palette, plan: SkyPlan, m: LayerMap, clock: Clock, flash: number): void {
  const { width, height } = c;
  const horizonRow = rowOf(m, HORIZON, height);
  const lit: Rgb = mix(p.cloud, [230, 230, 255], flash * 0.7);
  for (const cl of plan.clouds) {
    const u0 = cl.u + drift(clock, cl.speed);
    const u = frac((u0 - m.ox * 0.9) / SKY_PERIOD + 0.5) * SKY_PERIOD - SKY_PERIOD / 2;
    for (const puff of cl.puffs) {
      const x = (u + puff.du) * m.zx * height + width / 2;
      const rx = puff.rx * m.zx * height;
      if (x + rx < 0 || x - rx > width) continue;
      const y = rowOf(m, cl.v + puff.dv, height);
      const ry = puff.ry * m.zy * height;
      if (y - ry > horizonRow) continue;
      ellipse(c, x, y + ry * 0.35, rx * 1.05, ry, p.cloudShade, 0.5);
      ellipse(c, x, y, rx, ry, lit, 0.75);
    }
  }
}

/** Blends a soft ellipse towards colour: opacity alpha × (1 − q)² where q is the ellipse radius². */
function ellipse(c: Canvas, cx: number, cy: number, rx: number, ry: number, colour: Rgb, alpha: number): void {
  const { data, width, height } = c;
  const x0 = Math.max(0, Math.floor(cx - rx)), x1 = Math.min(width - 1, Math.ceil(cx + rx));
  const y0 = Math.max(0, Math.floor(cy - ry)), y1 = Math.min(height - 1, Math.ceil(cy + ry));
  const ix = 1 / (rx * rx), iy = 1 / (ry * ry);
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    const qy = dy * dy * iy;
    if (qy >= 1) continue;
    let o = (y * width + x0) * 3;
    for (let x = x0; x <= x1; x++, o += 3) {
      const dx = x + 0.5 - cx;
      const q = dx * dx * ix + qy;
      if (q >= 1) continue;
      const a = alpha * (1 - q) * (1 - q);
      data[o] = data[o]! + (colour[0] - data[o]!) * a;
      data[o + 1] = data[o + 1]! + (colour[1] - data[o + 1]!) * a;
      data[o + 2] = data[o + 2]! + (colour[2] - data[o + 2]!) * a;
    }
  }
}
