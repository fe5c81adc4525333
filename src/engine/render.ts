// The engine's entry point: image(s) → camera choreography → frames → MP4.
// Stages: decode (sharp, once per image) → render (lazy frames) → encode (ffmpeg) → finalize.
import { encodeVideo } from './encoder.ts';
import { renderFrames } from './frames.ts';
import { loadSource } from './source.ts';
import type { Source } from './source.ts';
import { buildTimeline } from './timeline.ts';
import type { ImageRole } from './timeline.ts';

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
  const timeline = buildTimeline({ start: !!opts.startImage, end: !!opts.endImage, loop });

  progress(0, 'decode');
  let t0 = performance.now();
  const paths: Partial<Record<ImageRole, string>> = { start: opts.startImage, end: opts.endImage };
  const sources: Partial<Record<ImageRole, Source>> = {};
  await Promise.all(
    (['start', 'end'] as const).map(async (role) => {
      const path = paths[role];
      if (path) sources[role] = await loadSource(path, width, height, timeline.maxZoom);
    }),
  );
  signal?.throwIfAborted();
  const detail = (sources.start ?? sources.end)?.detail;
  log(`decode: ${Object.keys(sources).join('+')} image → ${width}x${height} (detail ${detail?.width}x${detail?.height}) in ${ms(t0)}`);
  progress(DECODE_SHARE, 'decode');

  t0 = performance.now();
  let stage = 'render';
  log(`render: ${frames} frames at ${fps} fps${loop ? ', looping' : ''}`);
  const encodeShare = 1 - DECODE_SHARE - FINALIZE_SHARE;
  const { bytes } = await encodeVideo(renderFrames({ timeline, sources, width, height, frames, loop, signal }), {
    outPath: opts.outPath,
    width,
    height,
    fps,
    preset: opts.preset,
    crf: opts.crf,
    ffmpegPath: opts.ffmpegPath,
    signal,
    onEncoded: (n) => progress(DECODE_SHARE + (encodeShare * Math.min(n, frames)) / frames, stage),
    onFinalizing: () => {
      log(`finalize: all frames rendered in ${ms(t0)}, flushing the encoder`);
      stage = 'finalize';
      progress(DECODE_SHARE, stage);
    },
  });
  log(`finalize: ${bytes} bytes, ${frames} frames in ${ms(t0)} (${((frames * 1000) / (performance.now() - t0)).toFixed(1)} fps)`);
  progress(1, 'finalize');
  return { frames, width, height, bytes };
}

const ms = (t0: number): string => `${Math.round(performance.now() - t0)} ms`;
