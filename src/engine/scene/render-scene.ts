// Text-to-video: prompt → scene spec (words.ts) and camera words → frames (renderer.ts, on a
// worker thread) → x264 (encoder.ts, rgb24 in, converted with the BT.709 matrix). Stages: plan →
// render (progress follows the frames handed to the encoder) → finalize.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { encodeVideo } from '../encoder.ts';
import { cameraWords } from '../vocabulary.ts';
import type { CameraWord } from '../vocabulary.ts';
import { SceneRenderer } from './renderer.ts';
import type { SceneRendererOptions } from './renderer.ts';
import { sceneFrames } from './scene-pool.ts';
import { readScene } from './words.ts';
import type { SceneSpec } from './words.ts';

export interface RenderTextToVideoOptions {
  prompt: string;
  /** Output size, from videoSize(); both even. */
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** Every motion periodic over the video, so its last frame flows into its first. */
  loop: boolean;
  /** Fewer layers and particles (and, by the caller, a faster preset): the flash endpoints. */
  draft?: boolean;
  /** The MP4 appears here only when complete; an aborted or failed run leaves nothing. */
  outPath: string;
  signal?: AbortSignal;
  /** fraction ∈ [0, 1], never decreasing; stage is 'plan' | 'render' | 'finalize'. */
  onProgress?: (fraction: number, stage: string) => void;
  /** Frames as they are made (rgb24, width*height*3 bytes; valid only during the call). */
  onFrame?: (frame: Uint8Array, index: number) => void;
  log?: (message: string) => void;
  ffmpegPath?: string;
  preset?: string;
  crf?: number;
  /**
   * Render threads: 0 draws on the calling thread, n ≥ 1 on n workers pipelined with x264. By
   * default one, and two from 1080p up, where drawing rather than x264 is the slower stage.
   */
  threads?: number;
}

export interface TextToVideoResult {
  spec: SceneSpec;
  camera: CameraWord[];
  frames: number;
  bytes: number;
}

const FINALIZE_SHARE = 0.03;

/** The words a log line names: what the prompt was read as. */
export function describeScene(spec: SceneSpec, camera: readonly CameraWord[]): string {
  const parts: string[] = [spec.time, ...spec.terrain, ...(['water', 'rain', 'snow', 'fog', 'storm', 'clouds', 'stars', 'neon', 'lights', 'fire'] as const).filter((k) => spec[k])];
  if (spec.colours.length) parts.push(`colours ${spec.colours.join('+')}`);
  if (spec.mood) parts.push(`mood ${spec.mood}`);
  return `${parts.join(', ')}; camera ${camera.length ? camera.join('+') : 'default drift'}`;
}

/**
 * Renders a prompt as a procedural scene into an MP4. The same options give a byte-identical file.
 *
 * @example
 * const { width, height } = videoSize('16:9', '540p');
 * await renderTextToVideo({ prompt: 'sunset over the ocean', width, height, frames: 120, fps: 24, loop: false, outPath: 'out.mp4' });
 */
export async function renderTextToVideo(opts: RenderTextToVideoOptions): Promise<TextToVideoResult> {
  const { width, height, frames, fps, loop, signal } = opts;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v % 2 !== 0) throw new RangeError(`${name} must be an even integer >= 16, got ${v}`);
  }
  if (!Number.isInteger(frames) || frames < 2) throw new RangeError(`frames must be an integer >= 2, got ${frames}`);
  signal?.throwIfAborted();
  const log = opts.log ?? ((): void => undefined);
  let last = -1;
  const progress = (fraction: number, stage: string): void => {
    const f = Math.min(1, Math.max(last, fraction));
    last = f;
    opts.onProgress?.(f, stage);
  };
  progress(0, 'plan');
  const spec = readScene(opts.prompt);
  const camera = cameraWords(opts.prompt);
  const options: SceneRendererOptions = { spec, camera, width, height, frames, fps, loop, draft: opts.draft ?? false };
  log(`scene: ${describeScene(spec, camera)}${spec.words.length ? '' : ' (no scene words: a landscape chosen from the prompt)'}`);
  const threads = opts.threads ?? (width * height >= 1_500_000 ? 2 : 1);
  let t0 = performance.now();
  let stage = 'render';
  const encodeShare = 1 - FINALIZE_SHARE;
  const source = threads > 0 ? sceneFrames(options, threads, signal) : localFrames(options, signal);
  async function* tapped(): AsyncGenerator<Uint8Array> {
    let i = 0;
    for await (const frame of source) {
      opts.onFrame?.(frame, i);
      progress((encodeShare * (i + 1)) / frames, stage);
      i++;
      yield frame;
    }
  }
  t0 = performance.now();
  log(`render: ${frames} frames at ${width}x${height}, ${fps} fps${loop ? ', looping' : ''}${opts.draft ? ', draft' : ''}, ${threads > 0 ? `${threads} render thread${threads > 1 ? 's' : ''}` : 'on the calling thread'}`);
  try {
    const { bytes } = await encodeVideo(tapped(), {
      outPath: opts.outPath, width, height, fps, pixelFormat: 'rgb24',
      preset: opts.preset, crf: opts.crf, ffmpegPath: opts.ffmpegPath, signal,
      onFinalizing: () => {
        log(`finalize: all frames rendered in ${ms(t0)}, flushing the encoder`);
        stage = 'finalize';
      },
    });
    const secs = (performance.now() - t0) / 1000;
    log(`finalize: ${bytes} bytes, ${frames} frames in ${secs.toFixed(1)} s (${(frames / secs).toFixed(1)} fps)`);
    progress(1, 'finalize');
    return { spec, camera, frames, bytes };
  } finally {
    // An abandoned generator (abort, ffmpeg failure) still terminates its workers.
    await source.return(undefined);
  }
}

const ms = (t0: number): string => `${Math.round(performance.now() - t0)} ms`;

/** Frames drawn on the calling thread, yielding to the event loop between frames. */
async function* localFrames(options: SceneRendererOptions, signal?: AbortSignal): AsyncGenerator<Uint8Array, void, undefined> {
  const renderer = new SceneRenderer(options);
  for (let i = 0; i < options.frames; i++) {
    signal?.throwIfAborted();
    const frame = Buffer.allocUnsafe(renderer.frameBytes);
    renderer.render(i, frame);
    yield frame;
    await yieldToEventLoop();
  }
}
