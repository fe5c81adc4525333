// Falling and rising things: rain streaks, snowflakes, embers. Each particle wraps around a field a
// little larger than the screen and travels a whole number of field heights over the video, so a
// looping video has no seam; depth sets its size, speed, opacity and parallax.
import { disc, glow, streak } from './canvas.ts';
import type { Canvas } from './canvas.ts';
import type { Palette, Rgb } from './palette.ts';
import { frac } from './random.ts';
import type { Rng } from './random.ts';
import { cycles, layerMap } from './view.ts';
import type { Clock, View } from './view.ts';

export type ParticleKind = 'rain' | 'snow' | 'embers';

export interface Particle { x: number; y: number; depth: number; rate: number; sway: number; phase: number; size: number }

export interface ParticleField {
  kind: ParticleKind;
  particles: Particle[];
  /** Sideways slant of the fall (rain in wind), in x per unit of y. */
  wind: number;
  /** Field size in normalised screen units; a bit larger than any screen the camera shows. */
  fieldX: number;
  fieldY: number;
}

const FIELD_Y = 1.3;

export function planParticles(rng: Rng, kind: ParticleKind, count: number, aspect: number): ParticleField {
  const r = rng.fork(kind);
  const fieldX = aspect * 1.5 + 0.3;
  const particles = Array.from({ length: count }, (): Particle => {
    const depth = kind === 'embers' ? r.range(0.6, 1) : r.range(0.15, 1) ** 0.7;
    return { x: r.next() * fieldX, y: r.next() * FIELD_Y, depth, rate: r.range(0.85, 1.15), sway: r.range(0.3, 1), phase: r.next(), size: r.range(0.7, 1.3) };
  });
  return { kind, particles, wind: kind === 'rain' ? r.range(-0.18, 0.18) : 0, fieldX, fieldY: FIELD_Y };
}

/** Falls per second, in field heights, for a particle at a depth (nearer falls faster on screen). */
function fallRate(kind: ParticleKind, depth: number, pace: number): number {
  if (kind === 'rain') return ((0.9 + 1.3 * depth) / FIELD_Y) * Math.max(0.8, pace);
  if (kind === 'snow') return ((0.08 + 0.2 * depth) / FIELD_Y) * pace;
  return ((0.12 + 0.18 * depth) / FIELD_Y) * pace;
}

/** Draws a field. Embers need `source`, the fire's base in pixels, which they rise from. */
export function drawParticles(c: Canvas, f: ParticleField, p: Palette, view: View, clock: Clock, source?: { x: number; y: number; colour: Rgb }): void {
  const { width, height } = c;
  const px = height / 1080;
  const rainThick = Math.max(1, Math.round(1.6 * px));
  for (const q of f.particles) {
    const m = layerMap(view, q.depth);
    const turns = cycles(clock, fallRate(f.kind, q.depth, p.pace) * q.rate);
    const swayTurns = cycles(clock, 0.25 + 0.3 * q.sway);
    const sway = Math.sin(2 * Math.PI * (swayTurns * clock.tau + q.phase));
    if (f.kind === 'embers') {
      if (!source) return;
      // Embers rise from the fire, spreading and fading the higher they get.
      const rise = frac(q.y / f.fieldY + turns * clock.tau);
      const spread = (q.x / f.fieldX - 0.5) * (0.06 + 0.5 * rise) + 0.04 * sway * rise;
      const x = source.x + spread * height * m.zx;
      const y = source.y - rise * 0.8 * height * m.zy;
      const flicker = 0.6 + 0.4 * Math.sin(2 * Math.PI * (cycles(clock, 3 * q.sway) * clock.tau + q.phase));
      glow(c, x, y, (2 + 3 * q.size) * px * 1.5, source.colour, 1.4 * flicker * (1 - rise));
      continue;
    }
    const yf = frac(q.y / f.fieldY + turns * clock.tau) * f.fieldY - f.fieldY / 2;
    let xf = q.x + f.wind * yf - m.ox * 0.9;
    if (f.kind === 'snow') xf += 0.025 * q.sway * sway;
    xf = frac(xf / f.fieldX) * f.fieldX - f.fieldX / 2;
    const x = xf * m.zx * height + width / 2;
    const y = yf * m.zy * height + height / 2;
    if (x < -40 || x > width + 40 || y < -80 || y > height + 80) continue;
    if (f.kind === 'rain') {
      // As long as the drop falls in one frame: the motion blur of a film camera's shutter.
      const len = ((turns * f.fieldY) / clock.frames) * height * m.zy;
      const a = 0.12 + 0.33 * q.depth;
      streak(c, x - f.wind * len, y - len, x, y, q.depth > 0.7 ? rainThick : 1, p.rain, a);
    } else {
      const r = (0.7 + 2.6 * q.depth * q.size) * px * 1.4;
      disc(c, x, y, r, [240, 244, 252], 0.45 + 0.5 * q.depth);
    }
  }
}
