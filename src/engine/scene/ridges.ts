// The silhouette layers of a scene, painted once per video: a height above the horizon for every
// point along it (a periodic table, sampled finely enough that linear interpolation is invisible at
// 1080p), with a light factor for the slope facing the sun. Per frame only a lookup per column is
// left (land.ts). Mountains are ridged fractal noise, hills smooth noise, a forest conifer spikes on
// rolling ground, dunes sharp-crested waves, a city rows of buildings with windows.
import { mix } from './palette.ts';
import type { Palette, Rgb } from './palette.ts';
import type { Rng } from './random.ts';
import type { Terrain } from './words.ts';

/** World units a table covers before it repeats (about 2½ screen widths of 16:9). */
export const PERIOD = 4;
const PER_UNIT = 1024;
export const SAMPLES = PERIOD * PER_UNIT;

export interface Buildings {
  /** Building index of each sample (-1 between buildings). */
  index: Int32Array;
  left: Float32Array;
  height: Float32Array;
  /** Probability that a window of the building is lit. */
  lit: Float32Array;
  /** Building index carrying a neon sign, with the sign's box relative to the building (world units). */
  signs: { building: number; x0: number; x1: number; y0: number; y1: number; colour: Rgb; phase: number }[];
}

export interface Ridge {
  kind: Terrain;
  depth: number;
  /** Colour at the silhouette's top, and where it meets the horizon (haze). */
  top: Rgb;
  base: Rgb;
  heights: Float32Array;
  shade: Float32Array;
  /** Snow line as a share of the layer's highest peak (above it, snow); 0 for none. */
  snowCap: number;
  snow: Rgb;
  /** Fill to the bottom of the screen (a foreground that is its own ground), not to the horizon. */
  toBottom: boolean;
  buildings?: Buildings;
  /** Window light and its share of lit windows, for cities. */
  windowColour?: Rgb;
}

/** Periodic 1D fractal value noise in [0, 1]: `octaves` layers of cosine-interpolated lattices. */
function fbm(rng: Rng, octaves: number, base: number, gain: number, ridged = false): Float32Array {
  const out = new Float32Array(SAMPLES);
  let amp = 1;
  let total = 0;
  for (let o = 0, cells = base; o < octaves; o++, cells *= 2, amp *= gain) {
    const lattice = Array.from({ length: cells }, () => rng.next());
    const per = SAMPLES / cells;
    for (let i = 0; i < SAMPLES; i++) {
      const p = i / per;
      const k = Math.floor(p);
      const f = (1 - Math.cos(Math.PI * (p - k))) / 2;
      let n = lattice[k % cells]! * (1 - f) + lattice[(k + 1) % cells]! * f;
      if (ridged) n = 1 - Math.abs(2 * n - 1);
      out[i]! += amp * n;
    }
    total += amp;
  }
  for (let i = 0; i < SAMPLES; i++) out[i]! /= total;
  return out;
}

/** Light from the slope: the side facing the sun (sunSide ±1) brighter, the other darker. */
function slopeShade(h: Float32Array, sunSide: number, strength: number): Float32Array {
  const shade = new Float32Array(SAMPLES);
  // The slope over ±SPAN samples: a face's light, not every crease of the noise (which would
  // stripe the silhouette column by column).
  const SPAN = 64;
  for (let i = 0; i < SAMPLES; i++) {
    const slope = (h[(i + SPAN) % SAMPLES]! - h[(i + SAMPLES - SPAN) % SAMPLES]!) * (PER_UNIT / (2 * SPAN));
    shade[i] = 1 + Math.max(-0.45, Math.min(0.45, -slope * sunSide * strength));
  }
  return shade;
}

function mountains(rng: Rng, lo: number, hi: number): Float32Array {
  const n = fbm(rng, 7, 3, 0.5, true);
  for (let i = 0; i < SAMPLES; i++) n[i] = lo + (hi - lo) * n[i]! ** 1.6;
  return n;
}

function hills(rng: Rng, lo: number, hi: number): Float32Array {
  const n = fbm(rng, 4, 3, 0.45);
  for (let i = 0; i < SAMPLES; i++) n[i] = lo + (hi - lo) * n[i]!;
  return n;
}

function forest(rng: Rng, lo: number, hi: number, spacing: number): Float32Array {
  const ground = hills(rng, lo * 0.7, lo * 1.2);
  const out = Float32Array.from(ground);
  for (let u = rng.range(0, spacing); u < PERIOD - spacing; u += spacing * rng.range(0.35, 0.9)) {
    const h = rng.range(lo, hi);
    const half = h * rng.range(0.24, 0.34);
    const c = u * PER_UNIT;
    const reach = Math.ceil(half * PER_UNIT);
    for (let k = -reach; k <= reach; k++) {
      const i = (Math.round(c) + k + SAMPLES) % SAMPLES;
      const tip = ground[i]! + h * (1 - Math.abs(k) / (half * PER_UNIT));
      // Tiers of branches: a conifer's outline steps in rather than running straight.
      const tier = 0.004 * Math.abs(Math.sin((tip - ground[i]!) * 160));
      if (tip - tier > out[i]!) out[i] = tip - tier;
    }
  }
  return out;
}

function dunes(rng: Rng, lo: number, hi: number): Float32Array {
  const out = new Float32Array(SAMPLES);
  const waves = [3, 5, 8, 13].map((k) => ({ k, phase: rng.next(), amp: rng.range(0.4, 1) / k ** 0.6 }));
  const sum = waves.reduce((s, w) => s + w.amp, 0);
  for (let i = 0; i < SAMPLES; i++) {
    let h = 0;
    // A dune rises gently on the windward side and drops at its crest: a skewed wave.
    for (const w of waves) {
      const p = ((i / SAMPLES) * w.k + w.phase) % 1;
      h += w.amp * (p < 0.75 ? Math.sin((p / 0.75) * (Math.PI / 2)) : Math.cos(((p - 0.75) / 0.25) * (Math.PI / 2)));
    }
    out[i] = lo + (hi - lo) * (h / sum);
  }
  return out;
}

function city(rng: Rng, lo: number, hi: number, lit: number, neon: Rgb[]): { heights: Float32Array; buildings: Buildings } {
  const heights = new Float32Array(SAMPLES);
  const index = new Int32Array(SAMPLES).fill(-1);
  const left: number[] = [];
  const height: number[] = [];
  const litShare: number[] = [];
  const signs: Buildings['signs'] = [];
  let u = 0;
  while (u < PERIOD - 0.02) {
    const w = Math.min(PERIOD - u, rng.range(0.035, 0.11));
    // Mostly mid-rise with the odd tower: heights skewed low.
    const h = lo + (hi - lo) * rng.next() ** 1.8;
    const b = left.length;
    left.push(u);
    height.push(h);
    litShare.push(lit * rng.range(0.4, 1.3));
    const gap = rng.next() < 0.3 ? rng.range(0.002, 0.01) : 0;
    for (let i = Math.floor(u * PER_UNIT); i < Math.min(SAMPLES, Math.floor((u + w - gap) * PER_UNIT)); i++) {
      heights[i] = h;
      index[i] = b;
    }
    if (neon.length && rng.next() < 0.6) {
      const colour = rng.pick(neon);
      const vertical = rng.next() < 0.5;
      const sw = vertical ? Math.min(w * 0.35, 0.022) : w * rng.range(0.5, 0.85);
      const sh = vertical ? Math.min(h * 0.7, rng.range(0.07, 0.16)) : 0.018;
      const x0 = rng.range(0.1, 0.9) * (w - sw);
      const y0 = rng.range(0.1, Math.max(0.1, h - sh - 0.02));
      signs.push({ building: b, x0, x1: x0 + sw, y0, y1: y0 + sh, colour, phase: rng.next() });
    }
    u += w;
  }
  for (let i = 0; i < SAMPLES; i++) if (index[i]! < 0) heights[i] = 0.015;
  return {
    heights,
    buildings: { index, left: Float32Array.from(left), height: Float32Array.from(height), lit: Float32Array.from(litShare), signs },
  };
}

/**
 * The silhouette layers for the scene's terrain words, far to near. `sunSide` is the side the light
 * comes from; `relief` scales every height (the mood's).
 */
export function buildRidges(terrain: readonly Terrain[], p: Palette, rng: Rng, opts: { sunSide: number; relief: number; snow: boolean; lights: boolean; neon: boolean; draft: boolean }): Ridge[] {
  const ridges: Ridge[] = [];
  const r = opts.relief;
  const layer = (kind: Terrain, depth: number, heights: Float32Array, shadeStrength: number, extra: Partial<Ridge> = {}): void => {
    // Atmospheric perspective: a far layer is mostly haze, the nearest mostly its own colour.
    const near = 0.5 + 0.5 * depth;
    const air = mix(p.haze, p.land, 0.35);
    ridges.push({
      kind, depth, heights, shade: slopeShade(heights, opts.sunSide, shadeStrength),
      top: mix(air, p.land, near), base: mix(air, p.land, near * 0.5), snowCap: 0, snow: p.snow, toBottom: false, ...extra,
    });
  };
  const full = !opts.draft;
  for (const kind of terrain) {
    const g = rng.fork(kind);
    if (kind === 'mountains') {
      if (full) layer('mountains', 0.08, mountains(g, 0.1 * r, 0.4 * r), 2.2, { snowCap: opts.snow ? 0.45 : 0.62 });
      layer('mountains', 0.22, mountains(g, 0.04 * r, 0.24 * r), 2.2, { snowCap: opts.snow ? 0.55 : 0 });
    } else if (kind === 'hills') {
      if (full) layer('hills', 0.3, hills(g, 0.03 * r, 0.17 * r), 5);
      layer('hills', 0.5, hills(g, 0.01 * r, 0.1 * r), 5);
    } else if (kind === 'forest') {
      if (full) layer('forest', 0.4, forest(g, 0.03 * r, 0.08 * r, 0.02), 0);
      layer('forest', 0.65, forest(g, 0.05 * r, 0.14 * r, 0.035), 0);
    } else if (kind === 'desert') {
      if (full) layer('desert', 0.3, dunes(g, 0.02 * r, 0.08 * r), 6, { top: mix(p.haze, warmSand(p), 0.6), base: mix(p.haze, warmSand(p), 0.4) });
      layer('desert', 0.7, dunes(g, 0.01 * r, 0.05 * r), 8, { toBottom: true, top: warmSand(p), base: mix(warmSand(p), p.land, 0.25) });
    } else {
      const lit = opts.lights ? 0.42 : 0;
      if (full) {
        const far = city(g, 0.06 * r, 0.3 * r, lit * 0.6, []);
        layer('city', 0.3, far.heights, 0, { buildings: far.buildings, windowColour: mix(p.windows, p.haze, 0.35) });
      }
      const near = city(g.fork('near'), 0.05 * r, 0.42 * r, lit, opts.neon ? p.neon : []);
      layer('city', 0.55, near.heights, 0, { buildings: near.buildings, windowColour: p.windows, top: mix(p.land, [0, 0, 0], 0.2), base: p.land });
    }
  }
  return ridges.sort((a, b) => a.depth - b.depth);
}

/** Sand in the scene's light: warm by day, cooled and darkened as the light goes. */
function warmSand(p: Palette): Rgb {
  return mix([222, 170, 110], p.land, p.moon ? 0.75 : 0.2);
}
