// The frame source stage: a lazy async generator of rgb24 frames. Only the current frame (and one
// scratch layer for dissolves) exists at a time; the encoder pulls the next frame only after the
// previous one has drained into ffmpeg, which is the pipeline's backpressure.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isFullFrame } from './camera.ts';
import type { Rect } from './camera.ts';
import { blendInto, Sampler } from './sampler.ts';
import type { Source } from './source.ts';
import { frameTime } from './timeline.ts';
import type { ImageRole, Layer, Timeline } from './timeline.ts';

export interface FrameSourceOptions {
  timeline: Timeline;
  sources: Partial<Record<ImageRole, Source>>;
  width: number;
  height: number;
  frames: number;
  loop: boolean;
  signal?: AbortSignal;
}

/**
 * Yields `frames` frames of width*height*3 bytes. Each yielded buffer is fresh (the consumer may
 * keep it queued in a stream); the sampler tables and the dissolve scratch are reused.
 */
export async function* renderFrames(opts: FrameSourceOptions): AsyncGenerator<Buffer, void, undefined> {
  const { timeline, width, height, frames, loop, signal } = opts;
  const sampler = new Sampler(width, height);
  const scratch = timeline.b ? new Uint8Array(width * height * 3) : undefined;

  const draw = (layer: Layer, t: number, out: Uint8Array): void => {
    const source = opts.sources[layer.image];
    if (!source) throw new Error(`timeline uses the ${layer.image} image, which was not loaded`);
    const { detail, base } = source;
    const rect: Rect = layer.camera(t, detail);
    // At zoom 1 the frame IS the reference image; copying it (rather than resampling the detail
    // level) makes first and landing frames exact.
    if (isFullFrame(rect, detail)) out.set(base.data);
    else sampler.sample(detail, rect, out);
  };

  for (let i = 0; i < frames; i++) {
    signal?.throwIfAborted();
    const t = frameTime(i, frames, loop);
    const mix = timeline.b ? timeline.mix(t) : 0;
    const frame = Buffer.allocUnsafe(width * height * 3);
    if (mix >= 1 && timeline.b) {
      draw(timeline.b, t, frame);
    } else {
      draw(timeline.a, t, frame);
      if (mix > 0 && timeline.b && scratch) {
        draw(timeline.b, t, scratch);
        blendInto(frame, scratch, mix);
      }
    }
    yield frame;
    // Rendering is synchronous CPU work; let I/O callbacks (drain, abort, progress) run between
    // frames even when the consumer never has to wait.
    await yieldToEventLoop();
  }
}
