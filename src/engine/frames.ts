// The frame source stage: renders frame i of a timeline into a yuv420p buffer. `FrameRenderer`
// is synchronous and allocation-free per frame (it runs on the main thread or in a render
// worker); `renderFrames` wraps it as a lazy async generator, so only the frames in flight exist.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { morphLayers } from './morph.ts';
import type { MorphField } from './morph.ts';
import { magnification, poseWarp } from './pose.ts';
import type { Pose, Warp } from './pose.ts';
import { bicubicRow, bilinearRow } from './remap.ts';
import { blendInto, MAX_UNFILTERED_SHRINK, PlaneSampler } from './sampler.ts';
import { SimdRemap } from './simd-remap.ts';
import { SimdPlaneSampler } from './simd-sampler.ts';
import type { Level, Source } from './source.ts';
import { frameTime } from './timeline.ts';
import type { ImageRole, Timeline } from './timeline.ts';
import { chromaSize, copyInto, frameBytes, framePlanes } from './yuv.ts';
import type { Plane } from './yuv.ts';

export interface FrameSourceOptions {
  timeline: Timeline;
  sources: Partial<Record<ImageRole, Source>>;
  width: number;
  height: number;
  frames: number;
  loop: boolean;
  /** The flow between start and end, when the timeline morphs. */
  morph?: MorphField;
  /** Use the WebAssembly SIMD passes where possible (default true); false forces the JS loops. */
  simd?: boolean;
  signal?: AbortSignal;
}

/** The separable sampler interface both implementations share. */
interface Resampler {
  sample(src: Plane, xs: Float64Array, ys: Float64Array, out: Uint8Array, sameTaps?: boolean): void;
}

/**
 * The level to sample a separable warp from: the largest one the view shrinks by no more than the
 * sampler's unfiltered limit, so the 4-tap loops run on as much detail as there is.
 */
function separableLevel(levels: readonly Level[], minMag: number): Level {
  let best = levels[0]!;
  for (const l of levels) if (l.scale <= minMag * MAX_UNFILTERED_SHRINK + 1e-6) best = l;
  return best;
}

/** For the per-pixel sampler (no anti-aliasing): the largest level the warp only enlarges. */
function perPixelLevel(levels: readonly Level[], minMag: number): Level {
  let best = levels[0]!;
  for (const l of levels) if (l.scale <= minMag + 1e-6) best = l;
  return best;
}

/** Renders frames of one timeline; reuse one per video. */
export class FrameRenderer {
  readonly width: number;
  readonly height: number;
  readonly frameBytes: number;
  private readonly opts: FrameSourceOptions;
  private readonly luma: Resampler;
  private readonly chroma: Resampler;
  private readonly scratch: Uint8Array | undefined;
  // Positions reused across frames: separable columns/rows, and one row for the per-pixel path.
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly cxs: Float64Array;
  private readonly cys: Float64Array;
  private readonly rowX: Float64Array;
  private readonly rowY: Float64Array;
  private readonly colA: Float64Array;
  // The per-pixel luma kernel, made on first use (undefined) or missing (null: no WebAssembly SIMD).
  private remap: SimdRemap | null | undefined;

  constructor(opts: FrameSourceOptions) {
    const { width, height } = opts;
    this.opts = opts;
    this.width = width;
    this.height = height;
    this.frameBytes = frameBytes(width, height);
    const levels = [opts.sources.start, opts.sources.end].flatMap((src) => src?.levels ?? []);
    const simd = opts.simd ?? true;
    this.luma = (simd && SimdPlaneSampler.create(width, height, levels.map((l) => l.image.y))) || new PlaneSampler(width, height);
    const [cw, ch] = [chromaSize(width), chromaSize(height)];
    this.chroma = (simd && SimdPlaneSampler.create(cw, ch, levels.flatMap((l) => [l.image.u, l.image.v]))) || new PlaneSampler(cw, ch);
    this.scratch = opts.timeline.b && !opts.timeline.morph ? new Uint8Array(this.frameBytes) : undefined;
    this.xs = new Float64Array(width);
    this.ys = new Float64Array(height);
    this.cxs = new Float64Array(chromaSize(width));
    this.cys = new Float64Array(chromaSize(height));
    this.rowX = new Float64Array(width);
    this.rowY = new Float64Array(width);
    this.colA = new Float64Array(width);
    for (const role of ['start', 'end'] as const) {
      const uses = opts.timeline.a.image === role || opts.timeline.b?.image === role;
      if (uses && !opts.sources[role]) throw new Error(`timeline uses the ${role} image, which was not loaded`);
    }
    if (opts.timeline.morph && !opts.morph) throw new Error('a morphing timeline needs the flow field');
  }

  /** Time of frame i. */
  time(i: number): number {
    return frameTime(i, this.opts.frames, this.opts.loop);
  }

  /** Writes frame i into `out` (frameBytes long). */
  render(i: number, out: Uint8Array): void {
    const { timeline, sources } = this.opts;
    const t = this.time(i);
    const mix = timeline.b ? timeline.mix(t) : 0;
    const a = sources[timeline.a.image]!;
    if (timeline.morph && timeline.b) {
      const b = sources[timeline.b.image]!;
      const s = timeline.morph(t);
      const warp = poseWarp(timeline.a.pose(t), this.width, this.height);
      if (s <= 0 && mix <= 0) return this.drawWarp(a, warp, out);
      if (s >= 1 && mix >= 1) return this.drawWarp(b, warp, out);
      return morphLayers(a.base, b.base, this.opts.morph!, s, mix, warp, out);
    }
    if (mix >= 1 && timeline.b) return this.draw(sources[timeline.b.image]!, timeline.b.pose(t), out);
    this.draw(a, timeline.a.pose(t), out);
    if (mix > 0 && timeline.b && this.scratch) {
      this.draw(sources[timeline.b.image]!, timeline.b.pose(t), this.scratch);
      blendInto(out, this.scratch, mix);
    }
  }

  private draw(source: Source, pose: Pose, out: Uint8Array): void {
    this.drawWarp(source, poseWarp(pose, this.width, this.height), out);
  }

  private drawWarp(source: Source, warp: Warp, out: Uint8Array): void {
    // At rest the frame IS the reference image; copying it (rather than resampling a level)
    // makes first and landing frames exact.
    if (warp.still) return copyInto(out, source.base);
    const mag = magnification(warp);
    const planes = framePlanes(out, this.width, this.height);
    if (!warp.h) this.separable(separableLevel(source.levels, mag.min), warp, planes);
    else this.perPixel(perPixelLevel(source.levels, mag.min), warp, planes);
  }

  private separable(level: Level, warp: Warp, [y, u, v]: [Plane, Plane, Plane]): void {
    const { xs, ys, cxs, cys } = this;
    const { sx, sy, image } = level;
    // Luma sample i sits at edge coordinate i + 0.5; chroma sample i at luma 2i + 0.5
    // horizontally (left-sited) and 2j + 1 vertically (between two luma rows).
    for (let i = 0; i < xs.length; i++) xs[i] = warp.fx(i + 0.5) * sx - 0.5;
    for (let j = 0; j < ys.length; j++) ys[j] = warp.fy(j + 0.5) * sy - 0.5;
    for (let i = 0; i < cxs.length; i++) cxs[i] = (warp.fx(2 * i + 0.5) * sx - 0.5) / 2;
    for (let j = 0; j < cys.length; j++) cys[j] = (warp.fy(2 * j + 1) * sy - 1) / 2;
    this.luma.sample(image.y, xs, ys, y.data);
    this.chroma.sample(image.u, cxs, cys, u.data);
    this.chroma.sample(image.v, cxs, cys, v.data, true); // Cr at Cb's positions
  }

  private perPixel(level: Level, warp: Warp, planes: [Plane, Plane, Plane]): void {
    const h = warp.h!;
    const { sx, sy, image } = level;
    const { rowX, rowY, colA } = this;
    const h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!, h4 = h[4]!, h5 = h[5]!, h6 = h[6]!, h7 = h[7]!, h8 = h[8]!;
    const src = [image.y, image.u, image.v] as const;
    // On the WebAssembly SIMD kernels where there are some (simd-remap.ts): the columns'
    // coordinates once a plane, then per row the positions and the samples, all in the kernels'
    // memory. Cb and Cr share their positions.
    if (this.remap === undefined) this.remap = (this.opts.simd ?? true) ? SimdRemap.create(this.width) : null;
    const remap = this.remap;
    if (remap) {
      const [y, u, v] = planes;
      let cols = remap.columns(image.y, image.u, image.v);
      for (let i = 0; i < y.width; i++) cols[i] = warp.fx(i + 0.5);
      for (let j = 0; j < y.height; j++) {
        const b = warp.fy(j + 0.5);
        remap.homography(y.width, h0, h3, h6, h1 * b + h2, h4 * b + h5, h7 * b + h8, sx, sy, 0.5, 0.5);
        remap.row(image.y, y.width, y.data, j * y.width);
      }
      // Chroma sample i sits at luma 2i + 0.5 across and 2j + 1 down; (X − 0.5) / 2, (Y − 1) / 2.
      cols = remap.columns();
      for (let i = 0; i < u.width; i++) cols[i] = warp.fx(2 * i + 0.5);
      for (let j = 0; j < u.height; j++) {
        const b = warp.fy(2 * j + 1);
        remap.homography(u.width, h0, h3, h6, h1 * b + h2, h4 * b + h5, h7 * b + h8, sx / 2, sy / 2, 0.25, 0.5);
        remap.row(image.u, u.width, u.data, j * u.width, 'bilinear');
        remap.row(image.v, v.width, v.data, j * v.width, 'bilinear');
      }
      return;
    }
    for (let p = 0; p < 3; p++) {
      const out = planes[p]!;
      const chroma = p > 0;
      // Luma: edge coordinate i + 0.5; chroma: luma 2i + 0.5 across, 2j + 1 down (see above).
      for (let i = 0; i < out.width; i++) colA[i] = warp.fx(chroma ? 2 * i + 0.5 : i + 0.5);
      for (let j = 0; j < out.height; j++) {
        const b = warp.fy(chroma ? 2 * j + 1 : j + 0.5);
        const bx = h1 * b + h2, by = h4 * b + h5, bd = h7 * b + h8;
        for (let i = 0; i < out.width; i++) {
          const a = colA[i]!;
          const d = 1 / (h6 * a + bd);
          const X = (h0 * a + bx) * d * sx;
          const Y = (h3 * a + by) * d * sy;
          rowX[i] = chroma ? (X - 0.5) / 2 : X - 0.5;
          rowY[i] = chroma ? (Y - 1) / 2 : Y - 0.5;
        }
        (chroma ? bilinearRow : bicubicRow)(src[p]!, rowX, rowY, out.width, out.data, j * out.width);
      }
    }
  }
}

/**
 * Yields `frames` yuv420p frames of width*height*1.5 bytes. Each yielded buffer is fresh (the
 * consumer may keep it queued in a stream); the renderer's tables and scratch are reused.
 */
export async function* renderFrames(opts: FrameSourceOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const renderer = new FrameRenderer(opts);
  for (let i = 0; i < opts.frames; i++) {
    opts.signal?.throwIfAborted();
    const frame = Buffer.allocUnsafe(renderer.frameBytes);
    renderer.render(i, frame);
    yield frame;
    // Rendering is synchronous CPU work; let I/O callbacks (drain, abort, progress) run between
    // frames even when the consumer never has to wait.
    await yieldToEventLoop();
  }
}
