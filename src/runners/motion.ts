// The built-in runner: the CPU motion engine behind the Ray 2 endpoints. Offline, free and
// deterministic, for development, CI and drafts.
import path from 'node:path';
import sharp from 'sharp';
import type { ImageToVideoInput, Ray2ImageToVideoInput } from '../endpoints/ray2-schemas.ts';
import { DRAFT_PRESET } from '../engine/encoder.ts';
import { renderImageToVideo } from '../engine/render.ts';
import { cameraWords } from '../engine/vocabulary.ts';
import { yuvToRgbPreview } from '../engine/yuv.ts';
import { OutputFile, RunnerInputError, type RunContext, type Runner } from './runner.ts';
import { throttledPreview } from './preview.ts';
import { clipOf } from './clip.ts';

export interface MotionRunnerOptions {
  ffmpegPath: string;
  /** x264 preset; the engine's default when unset. */
  preset?: string | undefined;
}


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
    // Ray 2's input, or Dream Machine v1.5's (no resolution or duration).
    const input = rawInput as Ray2ImageToVideoInput | ImageToVideoInput;
    const { width, height, frames, fps } = clipOf(input);
    await Promise.all(Object.entries(ctx.files).map(([field, file]) => assertDecodable(field, file.path)));
    const outPath = path.join(ctx.tmpDir, 'output.mp4');
    const camera = cameraWords(input.prompt ?? '');
    ctx.log(`Rendering ${frames} frames at ${width}x${height}, ${fps} fps, camera: ${camera.length ? camera.join(', ') : 'default (gentle push-in)'}`);
    const startedAt = performance.now();
    await renderImageToVideo({
      startImage: ctx.files.image_url?.path,
      endImage: ctx.files.end_image_url?.path,
      width,
      height,
      frames,
      fps,
      loop: input.loop,
      camera,
      outPath,
      signal: ctx.signal,
      onProgress: (fraction, stage) => ctx.progress(fraction, stage),
      log: (m) => ctx.log(m),
      onFrame: throttledPreview(ctx, (frame: Uint8Array) => yuvToRgbPreview(frame, width, height)),
      ffmpegPath: this.#opts.ffmpegPath,
      ...(ctx.quality === 'draft' ? { preset: DRAFT_PRESET } : this.#opts.preset ? { preset: this.#opts.preset } : {}),
    });
    ctx.log(`Rendered in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return { video: new OutputFile(outPath, 'video/mp4', 'output.mp4') };
  }
}
