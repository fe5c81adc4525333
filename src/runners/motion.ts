// The built-in runner: the CPU motion engine behind the Ray 2 endpoints. Offline, free and
// deterministic, for development, CI and drafts.
import path from 'node:path';
import sharp from 'sharp';
import type { Ray2ImageToVideoInput } from '../endpoints/ray2-schemas.ts';
import { DRAFT_PRESET } from '../engine/encoder.ts';
import { renderImageToVideo } from '../engine/render.ts';
import { videoSize } from '../engine/sizes.ts';
import { cameraWords } from '../engine/vocabulary.ts';
import { yuvToRgbPreview } from '../engine/yuv.ts';
import { OutputFile, RunnerInputError, type RunContext, type Runner } from './runner.ts';

export interface MotionRunnerOptions {
  ffmpegPath: string;
  /** x264 preset; the engine's default when unset. */
  preset?: string | undefined;
}

const FPS = 24;
/** Frames per duration at 24 fps; '9s' belongs to endpoints whose schema offers it. */
const FRAMES: Record<string, number> = { '5s': 120, '9s': 216 };
/** A preview frame is converted at most this often (the reporter throttles its uploads itself). */
const PREVIEW_EVERY_MS = 1000;

/**
 * A file can carry an image's magic number and still not decode (truncated, corrupt, or a
 * decompression bomb past sharp's pixel limit): that is the caller's input, so it is a 422
 * naming the field, not a failure of ours.
 */
async function assertDecodable(field: string, file: string): Promise<void> {
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    await sharp(file).stats(); // decodes the pixels, which metadata alone does not
  } catch (err) {
    throw new RunnerInputError(field, `${field} could not be decoded as an image: ${(err as Error).message}`);
  }
}

export class MotionRunner implements Runner {
  readonly name = 'motion';
  readonly #opts: MotionRunnerOptions;

  constructor(opts: MotionRunnerOptions) {
    this.#opts = opts;
  }

  async run(_endpointId: string, rawInput: unknown, ctx: RunContext): Promise<unknown> {
    const input = rawInput as Ray2ImageToVideoInput;
    const { width, height } = videoSize(input.aspect_ratio, input.resolution);
    const duration: string = input.duration;
    const frames = FRAMES[duration];
    if (!frames) throw new RunnerInputError('duration', `duration must be one of ${Object.keys(FRAMES).join(', ')}, got ${duration}`);
    await Promise.all(Object.entries(ctx.files).map(([field, file]) => assertDecodable(field, file.path)));
    const outPath = path.join(ctx.tmpDir, 'output.mp4');
    const camera = cameraWords(input.prompt ?? '');
    ctx.log(`Rendering ${frames} frames at ${width}x${height}, ${FPS} fps, camera: ${camera.length ? camera.join(', ') : 'default (gentle push-in)'}`);
    const startedAt = performance.now();
    let lastPreview = -Infinity;
    await renderImageToVideo({
      startImage: ctx.files.image_url?.path,
      endImage: ctx.files.end_image_url?.path,
      width,
      height,
      frames,
      fps: FPS,
      loop: input.loop,
      camera,
      outPath,
      signal: ctx.signal,
      onProgress: (fraction, stage) => ctx.progress(fraction, stage),
      log: (m) => ctx.log(m),
      onFrame: (frame) => {
        const now = performance.now();
        if (now - lastPreview < PREVIEW_EVERY_MS) return;
        lastPreview = now;
        ctx.preview(yuvToRgbPreview(frame, width, height));
      },
      ffmpegPath: this.#opts.ffmpegPath,
      ...(ctx.quality === 'draft' ? { preset: DRAFT_PRESET } : this.#opts.preset ? { preset: this.#opts.preset } : {}),
    });
    ctx.log(`Rendered in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return { video: new OutputFile(outPath, 'video/mp4', 'output.mp4') };
  }
}
