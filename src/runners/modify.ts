// The modify runner: a source video changed after an edited first frame (the transform from the
// original first frame to the edited one, applied to every frame) or, without one, graded by the
// prompt's colour and mood words. The mode sets how far the result departs from the source.
// Behaviour and measurements: docs/modify.md.
import path from 'node:path';
import type { ModifyVideoInput } from '../endpoints/ray2-schemas.ts';
import { ModifyInputError, modifyVideo } from '../engine/modify/modify-video.ts';
import { MODIFY_MODES, type ModifyMode } from '../engine/modify/modes.ts';
import { yuvToRgbPreview } from '../engine/yuv.ts';
import { OutputFile, RunnerInputError, type RunContext, type Runner } from './runner.ts';
import { throttledPreview } from './preview.ts';

export interface ModifyRunnerOptions {
  ffmpegPath: string;
  ffprobePath: string;
  /** x264 preset; the engine's default (or its draft preset on flash endpoints) when unset. */
  preset?: string | undefined;
}


export class ModifyRunner implements Runner {
  readonly name = 'modify';
  readonly #opts: ModifyRunnerOptions;

  constructor(opts: ModifyRunnerOptions) {
    this.#opts = opts;
  }

  async run(_endpointId: string, rawInput: unknown, ctx: RunContext): Promise<unknown> {
    const input = rawInput as ModifyVideoInput;
    const mode = input.mode as string;
    if (!(MODIFY_MODES as readonly string[]).includes(mode)) throw new RunnerInputError('mode', `mode must be one of ${MODIFY_MODES.join(', ')}, got ${mode}`);
    const video = ctx.files.video_url;
    if (!video) throw new RunnerInputError('video_url', 'video_url is required');
    const image = ctx.files.image_url?.path;
    const outPath = path.join(ctx.tmpDir, 'output.mp4');
    const result = await modifyVideo({
      video: video.path,
      editedImage: image,
      prompt: input.prompt,
      mode: mode as ModifyMode,
      quality: ctx.quality,
      outPath,
      ffmpegPath: this.#opts.ffmpegPath,
      ffprobePath: this.#opts.ffprobePath,
      ...(this.#opts.preset ? { preset: this.#opts.preset } : {}),
      // A video or image that passed the worker's checks and still does not decode is a 422.
      signal: ctx.signal,
      onProgress: (fraction, stage) => ctx.progress(fraction, stage),
      log: (m) => ctx.log(m),
      onFrame: throttledPreview(ctx, yuvToRgbPreview),
    }).catch((err: unknown) => {
      throw err instanceof ModifyInputError ? new RunnerInputError(err.field, err.message) : err;
    });
    ctx.log(`Modified ${result.frames} frames at ${result.width}x${result.height}`);
    return { video: new OutputFile(outPath, 'video/mp4', 'output.mp4') };
  }
}
