// A fire: a warm light that breathes over everything near it, dark logs, and tongues of flame —
// additive glows born at the base that rise, narrow and cool from white-yellow to red as they age.
// Each tongue lives a whole number of lives over the video, so a loop has no seam.
import { disc, glow } from './canvas.ts';
import type { Canvas } from './canvas.ts';
import type { Palette, Rgb } from './palette.ts';
import { frac } from './random.ts';
import type { Rng } from './random.ts';
import { rowOf } from './land.ts';
import { cycles, HORIZON, layerMap } from './view.ts';
import type { Clock, View } from './view.ts';

interface Tongue { dx: number; rate: number; phase: number; size: number; sway: number }

export interface FirePlan {
  u: number;
  /** Depth below the horizon of the fire's base (world units) and its layer depth. */
  below: number;
  depth: number;
  /** Size in world units (height of the flames). */
  size: number;
  tongues: Tongue[];
}

export const EMBER: Rgb = [255, 150, 50];

export function planFire(rng: Rng, o: { aspect: number; far: boolean; draft: boolean }): FirePlan {
  const r = rng.fork('fire');
  const tongues = Array.from({ length: o.draft ? 18 : 36 }, (): Tongue => ({
    dx: r.range(-1, 1) * r.next(), rate: r.range(1.2, 2.2), phase: r.next(), size: r.range(0.6, 1.2), sway: r.next(),
  }));
  // A far fire burns on the far shore (across water); otherwise it is a campfire in the foreground.
  return o.far
    ? { u: r.range(-0.25, 0.25) * o.aspect, below: 0.004, depth: 0.4, size: 0.08, tongues }
    : { u: r.range(-0.2, 0.2) * o.aspect, below: 0.22, depth: 1, size: 0.16, tongues };
}

/** Draws the fire; returns its base in pixels (where embers start). */
export function drawFire(c: Canvas, f: FirePlan, p: Palette, view: View, clock: Clock): { x: number; y: number } {
  const { width, height } = c;
  const m = layerMap(view, f.depth);
  const x = (f.u - m.ox) * m.zx * height + width / 2;
  const y = rowOf(m, HORIZON + f.below, height);
  const s = f.size * m.zy * height;
  const breathe = 0.85 + 0.1 * Math.sin(2 * Math.PI * cycles(clock, 1.7) * clock.tau) + 0.05 * Math.sin(2 * Math.PI * cycles(clock, 4.3) * clock.tau);
  // Light thrown on the surroundings: wide and faint, then close and strong.
  glow(c, x, y - s * 0.3, s * 4.5, [255, 120, 40], (p.moon ? 0.5 : 0.3) * breathe);
  glow(c, x, y - s * 0.25, s * 1.4, [255, 140, 50], 0.3 * breathe);
  const logs: Rgb = [34, 20, 14];
  disc(c, x - s * 0.18, y, s * 0.12, logs, 0.95);
  disc(c, x + s * 0.16, y + s * 0.02, s * 0.11, logs, 0.95);
  disc(c, x, y + s * 0.05, s * 0.1, logs, 0.95);
  for (const t of f.tongues) {
    const age = frac(t.phase + cycles(clock, t.rate) * clock.tau);
    const rise = age * s * (0.7 + 0.5 * t.size);
    const sway = Math.sin(2 * Math.PI * (age * 1.3 + t.sway)) * s * 0.06 * age;
    const cx = x + t.dx * s * 0.22 * (1 - age * 0.6) + sway;
    const cy = y - s * 0.05 - rise;
    const r = s * 0.2 * t.size * (1 - age * 0.75);
    // White-yellow at the root, orange in the body, dull red at the tip.
    const colour: Rgb = age < 0.3 ? [255, 230, 150] : age < 0.65 ? [255, 140, 40] : [200, 50, 20];
    glow(c, cx, cy, r * 1.6, colour, 0.42 * (1 - age) * (0.7 + 0.3 * breathe));
  }
  return { x, y: y - s * 0.1 };
}
