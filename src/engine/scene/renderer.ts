// A scene, planned once from its spec and drawn frame by frame. Planning (the seeded part: ridges,
// stars, clouds, particles, the fire) happens in the constructor; `render(i)` is a pure function
// of the plan and the frame index, so frames can be drawn in any order, on any thread, and the same
// prompt always gives the same pixels.
import { canvasOver } from './canvas.ts';
import type { Canvas } from './canvas.ts';
import { drawFire, EMBER, planFire } from './fire.ts';
import type { FirePlan } from './fire.ts';
import { finish, FinishScratch, roll, rollFit } from './finish.ts';
import { drawRidge, drawSigns, heightAt, LandScratch } from './land.ts';
import { mix, paletteOf } from './palette.ts';
import type { Palette } from './palette.ts';
import { drawParticles, planParticles } from './particles.ts';
import type { ParticleField } from './particles.ts';
import { Rng } from './random.ts';
import { buildRidges } from './ridges.ts';
import type { Ridge } from './ridges.ts';
import { drawSky, flashAt, planSky } from './sky.ts';
import type { SkyPlan } from './sky.ts';
import { clockAt, layerMap, scenePath, tickOf, viewOf } from './view.ts';
import type { Pose } from '../pose.ts';
import type { CameraWord } from '../vocabulary.ts';
import { drawSurface } from './water.ts';
import type { SurfaceOptions } from './water.ts';
import type { SceneSpec } from './words.ts';

export interface SceneRendererOptions {
  spec: SceneSpec;
  /** Camera words of the prompt (vocabulary.ts); empty for the scene's default drift. */
  camera: readonly CameraWord[];
  width: number;
  height: number;
  frames: number;
  fps: number;
  loop: boolean;
  /** Draft: fewer layers and particles (the flash endpoints). */
  draft?: boolean;
}

export class SceneRenderer {
  readonly width: number;
  readonly height: number;
  /** Bytes of one rgb24 frame. */
  readonly frameBytes: number;
  readonly palette: Palette;
  readonly #o: SceneRendererOptions;
  readonly #path: (t: number) => Pose;
  readonly #sky: SkyPlan;
  readonly #ridges: Ridge[];
  readonly #surface: SurfaceOptions;
  readonly #particles: ParticleField[];
  readonly #embers: ParticleField | null;
  readonly #fire: FirePlan | null;
  readonly #fog: number;
  readonly #land: LandScratch;
  readonly #finish: FinishScratch;
  #rollScratch: Uint8Array | null = null;

  constructor(o: SceneRendererOptions) {
    const { spec, width, height } = o;
    this.#o = o;
    this.width = width;
    this.height = height;
    this.frameBytes = width * height * 3;
    const draft = o.draft ?? false;
    const aspect = width / height;
    const rng = new Rng(spec.seed);
    const p = paletteOf(spec);
    if (spec.neon) {
      // Neon light colours the low sky and the haze it shines into.
      p.skyHorizon = mix(p.skyHorizon, p.neon[0]!, 0.3);
      p.haze = mix(p.haze, p.neon[1] ?? p.neon[0]!, 0.15);
    }
    this.palette = p;
    this.#path = scenePath(o.camera, o.loop);
    const starLight = spec.time === 'night' ? 1 : spec.time === 'dusk' ? 0.55 : spec.stars ? 0.2 : 0;
    this.#sky = planSky(rng, { aspect, stars: spec.stars, starLight, clouds: spec.clouds, storm: spec.storm, draft, cloudAmount: spec.storm || spec.rain ? 1.4 : 1 });
    const sunSide = this.#sky.sunU >= 0 ? 1 : -1;
    this.#ridges = buildRidges(spec.terrain, p, rng, { sunSide, relief: p.relief, snow: spec.snow, lights: spec.lights, neon: spec.neon, draft });
    const city = spec.terrain.includes('city');
    const wet = spec.rain || (city && spec.neon);
    this.#surface = spec.water
      ? { reflect: 0.8, waves: spec.storm ? 18 : 10, glitter: p.sunVisible, colour: p.water, stripes: 0, stretch: 1 }
      : { reflect: wet ? (city ? 0.5 : 0.25) : 0, waves: wet ? 3 : 0, glitter: false, colour: groundColour(spec, p), stripes: city ? 0 : 0.06, stretch: 0.45 };
    const scale = draft ? 0.5 : 1;
    this.#particles = [];
    if (spec.rain) this.#particles.push(planParticles(rng, 'rain', Math.round((spec.storm ? 1300 : 900) * scale), aspect));
    if (spec.snow) this.#particles.push(planParticles(rng, 'snow', Math.round(750 * scale), aspect));
    this.#fire = spec.fire ? planFire(rng, { aspect, far: spec.water, draft }) : null;
    const peak = this.#ridges.filter((r) => r.kind === 'mountains').at(-1);
    if (this.#fire && spec.volcano && peak) {
      // On the summit nearest the fire's place: the highest point within a screen's reach.
      let best = this.#fire.u;
      for (let k = -40; k <= 40; k++) {
        const u = this.#fire.u + k * 0.005;
        if (heightAt(peak.heights, u) > heightAt(peak.heights, best)) best = u;
      }
      this.#fire = { ...this.#fire, u: best, below: -heightAt(peak.heights, best) + 0.004, depth: peak.depth, size: 0.07 };
    }
    this.#embers = spec.fire ? planParticles(rng, 'embers', Math.round(70 * scale), aspect) : null;
    const moodFog = spec.mood === 'mysterious' ? 0.35 : spec.mood === 'dreamy' ? 0.25 : 0;
    this.#fog = Math.min(0.8, (spec.fog ? 0.55 : 0) + moodFog + (spec.rain ? 0.15 : 0) + (spec.snow ? 0.1 : 0));
    this.#land = new LandScratch(width, height);
    this.#finish = new FinishScratch(width, height, draft ? 0 : 0.28);
  }

  /** Draws frame i as rgb24 into `out` (frameBytes long). Every byte is written. */
  render(i: number, out: Uint8Array): void {
    const { width, height, palette: p } = this;
    const o = this.#o;
    const clock = clockAt(i, o.frames, o.fps, o.loop);
    const view = viewOf(this.#path(clock.t));
    let target: Canvas = canvasOver(out, width, height);
    const rolled = Math.abs(view.roll) > 1e-4;
    let fit = 1;
    if (rolled) {
      // Drawn wider first (the scene has no edges), then turned and magnified back.
      fit = rollFit(view.roll, width, height);
      view.zoom /= fit;
      view.horizonY /= fit;
      this.#rollScratch ??= new Uint8Array(this.frameBytes);
      target = canvasOver(this.#rollScratch, width, height);
    }
    const tick = tickOf(clock, 2);
    const skyMap = layerMap(view, 0);
    drawSky(target, p, this.#sky, skyMap, clock, flashAt(this.#sky, clock));
    let sunX = (this.#sky.sunU - skyMap.ox) * skyMap.zx * height + width / 2;
    const signTick = tickOf(clock, 6);
    for (const ridge of this.#ridges) {
      if (ridge.toBottom) continue;
      const m = layerMap(view, ridge.depth);
      drawRidge(target, ridge, m, this.#land, this.#o.spec.seed, tick);
      // Before the surface, so wet streets and water reflect the signs.
      drawSigns(target, ridge, m, signTick, this.#o.spec.seed, 1);
    }
    const ground = layerMap(view, 1);
    if (this.#o.spec.time === 'dusk') sunX = width / 2;
    drawSurface(target, p, this.#surface, ground, clock, sunX, this.#o.spec.seed);
    for (const ridge of this.#ridges) {
      if (ridge.toBottom) drawRidge(target, ridge, layerMap(view, ridge.depth), this.#land, this.#o.spec.seed, tick);
    }
    if (this.#fire) {
      const base = drawFire(target, this.#fire, p, view, clock);
      if (this.#embers) drawParticles(target, this.#embers, p, view, clock, { ...base, colour: EMBER });
    }
    finish(target, this.#finish, this.#fog, p.fog, ground, clock);
    for (const f of this.#particles) drawParticles(target, f, p, view, clock);
    if (rolled) roll(target, canvasOver(out, width, height), view.roll, fit);
  }
}

function groundColour(spec: SceneSpec, p: Palette): Palette['ground'] {
  if (spec.snow) return p.ground;
  if (spec.terrain.includes('city')) return mix(p.land, [40, 40, 48], 0.4);
  if (spec.terrain.includes('desert')) return mix([200, 150, 96], p.land, spec.time === 'night' ? 0.8 : 0.3);
  return p.ground;
}
