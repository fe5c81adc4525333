// The text-to-video runner: a procedural scene painted from the prompt's words (src/engine/scene),
// behind the Ray 2 and Dream Machine text-to-video endpoints and image-to-video without an image.
// Offline and deterministic like `motion`: the same input gives a byte-identical MP4.
import path from 'node:path';
import { DRAFT_PRESET } from '../engine/encoder.ts';
import { renderTextToVideo } from '../engine/scene/render-scene.ts';
import type { AspectRatio, Resolution } from '../engine/sizes.ts';
import { OutputFile, type RunContext, type Runner } from './runner.ts';
import { throttledPreview } from './preview.ts';
import { clipOf } from './clip.ts';

export interface SceneRunnerOptions {
  ffmpegPath: string;
  /** x264 preset for standard quality; the engine's default when unset. */
  preset?: string | undefined;
}

/** What the text-to-video inputs share; Dream Machine v1.5 has no resolution or duration (540p, 5 s). */
interface SceneInput {
  prompt: string;
  aspect_ratio: AspectRatio;
  loop: boolean;
  resolution?: Resolution;
  duration?: string;
}

const PREVIEW_WIDTH = 320;

/** A small rgb24 copy of an rgb24 frame (nearest pixel), for the preview clients see. */
function previewOf(frame: Uint8Array, width: number, height: number): { data: Uint8Array; width: number; height: number } {
  const step = Math.max(1, Math.ceil(width / PREVIEW_WIDTH));
  const w = Math.floor(width / step);
  const h = Math.floor(height / step);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0, o = 0; y < h; y++) {
    for (let x = 0; x < w; x++, o += 3) {
      const s = (y * step * width + x * step) * 3;
      out[o] = frame[s]!;
      out[o + 1] = frame[s + 1]!;
      out[o + 2] = frame[s + 2]!;
    }
  }
  return { data: out, width: w, height: h };
}

export class SceneRunner implements Runner {
  readonly name = 'scene';
  readonly #opts: SceneRunnerOptions;

  constructor(opts: SceneRunnerOptions) {
    this.#opts = opts;
  }

  async run(_endpointId: string, rawInput: unknown, ctx: RunContext): Promise<unknown> {
    const input = rawInput as SceneInput;
    const { width, height, frames, fps } = clipOf(input);
    const outPath = path.join(ctx.tmpDir, 'output.mp4');
    const draft = ctx.quality === 'draft';
    ctx.log(`Rendering ${frames} frames at ${width}x${height}, ${fps} fps, a scene from the prompt${draft ? ' (draft: fewer layers, faster encode)' : ''}`);
    const startedAt = performance.now();
    await renderTextToVideo({
      prompt: input.prompt,
      width,
      height,
      frames,
      fps,
      loop: input.loop,
      draft,
      outPath,
      signal: ctx.signal,
      onProgress: (fraction, stage) => ctx.progress(fraction, stage),
      log: (m) => ctx.log(m),
      onFrame: throttledPreview(ctx, (frame: Uint8Array) => previewOf(frame, width, height)),
      ffmpegPath: this.#opts.ffmpegPath,
      ...(draft ? { preset: DRAFT_PRESET } : this.#opts.preset ? { preset: this.#opts.preset } : {}),
    });
    ctx.log(`Rendered in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    return { video: new OutputFile(outPath, 'video/mp4', 'output.mp4') };
  }
}
