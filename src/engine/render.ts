// The engine's entry point: image(s) → camera choreography → frames → MP4.
// Stages: decode (sharp, once per image; keyframe analysis) → render (lazy frames) → encode
// (ffmpeg) → finalize.
import { encodeVideo } from './encoder.ts';
import { renderFrames } from './frames.ts';
import { analyseKeyframes } from './morph.ts';
import type { MorphField } from './morph.ts';
import { magnification, poseWarp } from './pose.ts';
import { MAX_UNFILTERED_SHRINK } from './sampler.ts';
import { levelScales, loadSource } from './source.ts';
import type { Source } from './source.ts';
import { buildTimeline } from './timeline.ts';
import type { ImageRole, Timeline, TimelineInput } from './timeline.ts';
import { cameraWords } from './vocabulary.ts';
import { RenderPool } from './worker-pool.ts';
import type { CameraWord } from './vocabulary.ts';

export { coverFit } from './source.ts';

export interface RenderImageToVideoOptions {
  /** Path of a local image file (any format sharp reads). At least one of start/end is given. */
  startImage?: string;
  endImage?: string;
  /** Output size, from videoSize(); both even. */
  width: number;
  height: number;
  /** Number of frames, e.g. 120 for 5 s at 24 fps. */
  frames: number;
  fps: number;
  /** Periodic camera (and dissolve) with period `frames`, so the video loops without a seam. */
  loop: boolean;
  /** Prompt text; its camera words (see vocabulary.ts) choose the move. */
  prompt?: string;
  /** Camera words given directly; when set, the prompt is not read for them. */
  camera?: readonly CameraWord[];
  /** Frames as they are made (yuv420p, width*height*1.5 bytes; valid only during the call). */
  onFrame?: (frame: Uint8Array, index: number) => void;
  /** The MP4 appears here only when complete; an aborted or failed run leaves nothing. */
  outPath: string;
  signal?: AbortSignal;
  /** fraction ∈ [0, 1], never decreasing; stage is 'decode' | 'render' | 'finalize'. */
  onProgress?: (fraction: number, stage: string) => void;
  /** One line per stage. */
  log?: (message: string) => void;
  ffmpegPath?: string;
  preset?: string;
  crf?: number;
  /**
   * Render threads: 0 draws frames on the calling thread, n ≥ 1 on n workers pipelined with the
   * encoder. By default one for separable moves (x264 is then the bottleneck, see
   * bench/README.md) and two when frames need the per-pixel sampler or a morph (the renderer is).
   */
  threads?: number;
}

export interface RenderResult {
  frames: number;
  width: number;
  height: number;
  bytes: number;
}

// Share of the progress bar per stage: decoding is quick; the bar then follows encoded frames.
const DECODE_SHARE = 0.05;
const FINALIZE_SHARE = 0.03;

function validate(o: RenderImageToVideoOptions): void {
  if (!o.startImage && !o.endImage) throw new TypeError('startImage or endImage is required');
  for (const [name, v] of [['width', o.width], ['height', o.height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v % 2 !== 0) throw new RangeError(`${name} must be an even integer >= 16, got ${v}`);
  }
  if (!Number.isInteger(o.frames) || o.frames < 2) throw new RangeError(`frames must be an integer >= 2, got ${o.frames}`);
  if (!(o.fps > 0)) throw new RangeError(`fps must be positive, got ${o.fps}`);
}

function monotoneProgress(cb: RenderImageToVideoOptions['onProgress']): (fraction: number, stage: string) => void {
  let last = -1;
  let lastStage = '';
  return (fraction, stage) => {
    const f = Math.min(1, Math.max(last, fraction));
    if (f === last && stage === lastStage) return;
    last = f;
    lastStage = stage;
    cb?.(f, stage);
  };
}

/**
 * Renders a still image (or a start/end pair) into an MP4 with a smooth camera move.
 *
 * @example
 * const { width, height } = videoSize('16:9', '720p');
 * await renderImageToVideo({ startImage: 'in.jpg', width, height, frames: 120, fps: 24, loop: false, outPath: 'out.mp4' });
 */
export async function renderImageToVideo(opts: RenderImageToVideoOptions): Promise<RenderResult> {
  validate(opts);
  const { width, height, frames, fps, loop, signal } = opts;
  signal?.throwIfAborted();
  const progress = monotoneProgress(opts.onProgress);
  const log = opts.log ?? ((): void => undefined);
  const words = opts.camera ?? cameraWords(opts.prompt ?? '');
  const start = !!opts.startImage;
  const end = !!opts.endImage;
  // Levels are planned for the dissolve choreography, whose camera travels furthest; a morph
  // uses half of that move.
  const draft = buildTimeline({ start, end, loop, words });
  const plans = { start: start ? planLevels(draft, 'start', width, height) : null, end: end ? planLevels(draft, 'end', width, height) : null };
  const perPixel = !!(plans.start?.perPixel || plans.end?.perPixel);
  const threads = opts.threads ?? (perPixel || (start && end) ? 2 : 1);
  // What does not need the pictures starts now and overlaps decoding: the render worker(s) load
  // their modules while sharp decodes, and ffmpeg starts when encodeVideo is called below.
  const pool = threads > 0 ? new RenderPool(threads) : null;
  progress(0, 'decode');
  const prepared = prepare(opts, plans, words, log);
  prepared.catch(() => undefined); // surfaced through the frame generator

  let t0 = performance.now();
  let stage = 'decode';
  const encodeShare = 1 - DECODE_SHARE - FINALIZE_SHARE;
  async function* frameSource(): AsyncGenerator<Uint8Array> {
    const { sources, plan, timeline, morph } = await prepared;
    signal?.throwIfAborted();
    progress(DECODE_SHARE, 'decode');
    stage = 'render';
    t0 = performance.now();
    log(`render: ${frames} frames at ${fps} fps${loop ? ', looping' : ''}, ${pool ? `${pool.size} render thread${pool.size > 1 ? 's' : ''}` : 'on the calling thread'}${perPixel ? ', per-pixel warps' : ''}`);
    const extra = morph ? { morph } : {};
    const rendered = pool
      ? pool.frames({ timeline: plan, sources, width, height, frames, loop, signal, ...extra })
      : renderFrames({ timeline, sources, width, height, frames, loop, signal, ...extra });
    // Progress follows the frames handed to the encoder. ffmpeg's own count arrives only every
    // 0.25 s, so a short job would jump from the start to the end with nothing between.
    yield* tap(rendered, (frame, i) => {
      opts.onFrame?.(frame, i);
      progress(DECODE_SHARE + (encodeShare * (i + 1)) / frames, stage);
    });
  }
  try {
    const { bytes } = await encodeVideo(frameSource(), {
      outPath: opts.outPath,
      width,
      height,
      fps,
      preset: opts.preset,
      crf: opts.crf,
      ffmpegPath: opts.ffmpegPath,
      signal,
      onFinalizing: () => {
        log(`finalize: all frames rendered in ${ms(t0)}, flushing the encoder`);
        stage = 'finalize';
        progress(DECODE_SHARE, stage);
      },
    });
    log(`finalize: ${bytes} bytes, ${frames} frames in ${ms(t0)} (${((frames * 1000) / (performance.now() - t0)).toFixed(1)} fps)`);
    progress(1, 'finalize');
    return { frames, width, height, bytes };
  } finally {
    await pool?.close();
  }
}

interface LevelPlan {
  scales: number[];
  perPixel: boolean;
}

interface Prepared {
  sources: Partial<Record<ImageRole, Source>>;
  plan: TimelineInput;
  timeline: Timeline;
  morph?: MorphField;
}

/** Decodes the images at their levels and decides morph or dissolve. */
async function prepare(opts: RenderImageToVideoOptions, plans: Record<ImageRole, LevelPlan | null>, words: readonly CameraWord[], log: (m: string) => void): Promise<Prepared> {
  const { width, height, loop, signal } = opts;
  let t0 = performance.now();
  const paths: Partial<Record<ImageRole, string>> = { start: opts.startImage, end: opts.endImage };
  const sources: Partial<Record<ImageRole, Source>> = {};
  await Promise.all(
    (['start', 'end'] as const).map(async (role) => {
      const path = paths[role];
      const plan = plans[role];
      if (path && plan) sources[role] = await loadSource(path, width, height, plan.scales);
    }),
  );
  signal?.throwIfAborted();
  const levels = (sources.start ?? sources.end)!.levels;
  log(`decode: ${Object.keys(sources).join('+')} image → ${width}x${height}, levels ${levels.map((l) => `${l.image.width}x${l.image.height}`).join(' ')}, camera ${words.length ? words.join('+') : 'default'} in ${ms(t0)}`);
  const plan: TimelineInput = { start: !!sources.start, end: !!sources.end, loop, words };
  if (sources.start && sources.end) {
    t0 = performance.now();
    const c = analyseKeyframes(sources.start.rgbBase, sources.end.rgbBase);
    log(`decode: keyframes ${c.morph ? 'correspond: morph' : 'differ: dissolve'} (flow consistency ${c.consistency.toFixed(2)}, residual ${c.residual.toFixed(2)}, shift ${c.shift.dx.toFixed(1)},${c.shift.dy.toFixed(1)} px) in ${ms(t0)}`);
    if (c.morph) {
      const morphing = { ...plan, morph: true };
      return { sources, plan: morphing, timeline: buildTimeline(morphing), morph: c.field };
    }
  }
  return { sources, plan, timeline: buildTimeline(plan) };
}

const ms = (t0: number): string => `${Math.round(performance.now() - t0)} ms`;

async function* tap(frames: AsyncIterable<Uint8Array>, onFrame: (frame: Uint8Array, index: number) => void): AsyncGenerator<Uint8Array> {
  let i = 0;
  for await (const frame of frames) {
    onFrame(frame, i++);
    yield frame;
  }
}

// The sampling levels an image needs: up to the largest magnification its camera reaches, and a
// ladder of close steps when some frame needs the per-pixel sampler (which cannot anti-alias, so
// it must always sample a level it enlarges).
function planLevels(timeline: Timeline, role: ImageRole, width: number, height: number): LevelPlan {
  let max = 1;
  let perPixel = false;
  for (const layer of [timeline.a, timeline.b]) {
    if (!layer || layer.image !== role) continue;
    for (let i = 0; i <= 48; i++) {
      const warp = poseWarp(layer.pose(i / 48), width, height);
      if (warp.still) continue;
      max = Math.max(max, magnification(warp).max);
      perPixel ||= warp.h !== null;
    }
  }
  return { scales: levelScales(Math.min(max, 3), perPixel ? 1.04 : MAX_UNFILTERED_SHRINK), perPixel };
}
