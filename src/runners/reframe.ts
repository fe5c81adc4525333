// The built-in reframe runner, behind `…/ray-2/reframe` and `…/ray-2-flash/reframe`: the source
// video placed on a canvas of the target aspect ratio, the rest filled by a temporally smoothed
// classical outpainting (src/engine/reframe/, docs/reframe.md). Offline and deterministic.
import path from 'node:path';
import type { ReframeVideoInput } from '../endpoints/ray2-schemas.ts';
import { addSourceAudio } from '../engine/audio-track.ts';
import { ReframeInputError, reframeLayout } from '../engine/reframe/geometry.ts';
import { renderReframe } from '../engine/reframe/render.ts';
import { videoStreamInfo } from '../engine/video-info.ts';
import { yuvToRgbPreview } from '../engine/yuv.ts';
import { OutputFile, RunnerInputError, type RunContext, type Runner } from './runner.ts';
import { throttledPreview } from './preview.ts';

export interface ReframeRunnerOptions {
  ffmpegPath: string;
  ffprobePath: string;
}


export class ReframeRunner implements Runner {
  readonly name = 'reframe';
  readonly #opts: ReframeRunnerOptions;

  constructor(opts: ReframeRunnerOptions) {
    this.#opts = opts;
  }

  async run(_endpointId: string, rawInput: unknown, ctx: RunContext): Promise<unknown> {
    const input = rawInput as ReframeVideoInput;
    const video = ctx.files.video_url;
    if (!video) throw new RunnerInputError('video_url', 'video_url is required');
    try {
      return await this.#render(input, video.path, ctx);
    } catch (err) {
      if (err instanceof ReframeInputError) throw new RunnerInputError(err.field, err.message);
      throw err;
    }
  }

  async #render(input: ReframeVideoInput, source: string, ctx: RunContext): Promise<unknown> {
    const info = await videoStreamInfo(source, { ffprobePath: this.#opts.ffprobePath, signal: ctx.signal });
    const layout = reframeLayout(info, input);
    const { canvas, crop, placed } = layout;
    ctx.log(
      `Reframing ${info.width}x${info.height} at ${info.frameRate} fps (${info.frames} frames) to ${input.aspect_ratio}: ` +
        `canvas ${canvas.width}x${canvas.height}, crop ${crop.width}x${crop.height} at ${crop.x},${crop.y}, ` +
        `placed ${placed.width}x${placed.height} at ${placed.x},${placed.y}${layout.scaled ? ' (scaled down to fit)' : ''}` +
        `${ctx.quality === 'draft' ? ', draft' : ''}`,
    );
    if (input.prompt) ctx.log('The prompt is not used by the built-in reframe engine');
    const outPath = path.join(ctx.tmpDir, 'output.mp4');
    const startedAt = performance.now();
    const written = await renderReframe({
      source,
      layout,
      squarePixels: info.anamorphic ? { width: info.width, height: info.height } : undefined,
      fps: info.fps,
      frames: info.frames,
      image: ctx.files.image_url?.path,
      outPath,
      quality: ctx.quality,
      ffmpegPath: this.#opts.ffmpegPath,
      signal: ctx.signal,
      onProgress: (fraction, stage) => ctx.progress(fraction, stage),
      onFrame: throttledPreview(ctx, (frame: Uint8Array) => yuvToRgbPreview(frame, canvas.width, canvas.height)),
    });
    if (info.hasAudio) {
      ctx.progress(0.99, 'audio');
      await addSourceAudio(outPath, source, { ffmpegPath: this.#opts.ffmpegPath, signal: ctx.signal });
    }
    ctx.log(`Reframed ${written} frames${info.hasAudio ? ' with the source\'s audio' : ''} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return { video: new OutputFile(outPath, 'video/mp4', 'output.mp4') };
  }
}
