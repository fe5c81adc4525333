// The reframe pipeline: source video → decoder (crop, and scale only when the crop is larger than
// the canvas) → fill model + compositor per frame → encoder. One frame out for every frame in,
// at the source's rate, so the output keeps the source's duration. Backpressure runs end to end:
// the encoder's pipe paces the compositor, which paces the decoder.
import { DEFAULT_PRESET, DRAFT_PRESET, encodeVideo } from '../encoder.ts';
import { coverFit } from '../source.ts';
import { decodeVideo } from '../video-decoder.ts';
import { copyInto, frameBytes, rgbToYuv } from '../yuv.ts';
import { Compositor, seamFor } from './compose.ts';
import { cellFor, FillModel } from './fill.ts';
import { ReframeInputError, type ReframeLayout } from './geometry.ts';

/** How long the first-frame image takes to dissolve into the video. */
export const IMAGE_BLEND_S = 0.5;

export interface ReframeRenderOptions {
  /** The source video file. */
  source: string;
  layout: ReframeLayout;
  /** For anamorphic sources: the square-pixel size the layout was made for, scaled to first. */
  squarePixels?: { width: number; height: number } | undefined;
  /** The source's frame rate (frames per second) and its frame count (for progress only). */
  fps: number;
  frames: number;
  /** An image that is the first frame (cover-fitted to the canvas), dissolving into the video. */
  image?: string | undefined;
  outPath: string;
  /** `draft`: the encoder's draft preset and a coarser, single-blur fill. */
  quality: 'standard' | 'draft';
  ffmpegPath?: string | undefined;
  /** x264 preset for `standard`; the encoder's default when unset. */
  preset?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: (fraction: number, stage: string) => void;
  /** Every canvas frame as it is handed to the encoder (yuv420p); cheap to ignore. */
  onFrame?: (frame: Uint8Array, index: number) => void;
}

async function imageFrame(image: string, width: number, height: number): Promise<Uint8Array> {
  let rgb: Buffer;
  try {
    rgb = await coverFit(image, width, height);
  } catch (err) {
    throw new ReframeInputError('image_url', `image_url could not be decoded as an image: ${(err as Error).message}`);
  }
  const frame = new Uint8Array(frameBytes(width, height));
  copyInto(frame, rgbToYuv({ data: rgb, width, height }));
  return frame;
}

/** out = image + t (out − image), every sample. */
function dissolve(out: Uint8Array, image: Uint8Array, t: number): void {
  for (let i = 0; i < out.length; i++) out[i] = Math.round(image[i]! + t * (out[i]! - image[i]!));
}

/**
 * Renders a reframe to `outPath` (H.264 MP4 at the canvas size and the source's rate). With an
 * image, frame 0 is the image and frames 1 … ⌈fps·IMAGE_BLEND_S⌉−1 dissolve from it into the
 * composed video. Returns the number of frames written. Aborting stops both ffmpeg processes and
 * leaves no file.
 *
 * @example
 * await renderReframe({ source: 'in.mp4', layout, fps: 24, frames: 48, outPath: 'out.mp4', quality: 'standard' });
 */
export async function renderReframe(o: ReframeRenderOptions): Promise<number> {
  const { canvas, crop, placed } = o.layout;
  const draft = o.quality === 'draft';
  const fill = new FillModel(canvas, placed, { cell: cellFor(canvas, draft), fps: o.fps, detail: !draft });
  const compositor = new Compositor(canvas, placed, fill, seamFor(canvas));
  const image = o.image ? await imageFrame(o.image, canvas.width, canvas.height) : null;
  if (image) fill.seed(image, canvas);
  const blendFrames = image ? Math.max(1, Math.ceil(o.fps * IMAGE_BLEND_S)) : 0;
  const size = frameBytes(canvas.width, canvas.height);
  const total = Math.max(1, o.frames);
  let written = 0;

  async function* frames(): AsyncGenerator<Uint8Array> {
    const decoded = decodeVideo(o.source, {
      width: placed.width,
      height: placed.height,
      // exact: odd offsets stay where they were asked for instead of rounding to the chroma grid.
      filters: [
        ...(o.squarePixels ? [`scale=${o.squarePixels.width}:${o.squarePixels.height}`, 'setsar=1'] : []),
        `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}:exact=1`,
      ],
      ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    for await (const source of decoded) {
      fill.update(source, placed);
      const out = new Uint8Array(size);
      compositor.compose(source, out);
      if (image && written < blendFrames) dissolve(out, image, written / blendFrames);
      o.onFrame?.(out, written);
      written++;
      o.onProgress?.(Math.min(0.99, written / total), 'reframing');
      yield out;
    }
    if (written === 0) throw new ReframeInputError('video_url', 'video_url has no frames that could be decoded');
  }

  o.onProgress?.(0, 'reframing');
  await encodeVideo(frames(), {
    outPath: o.outPath,
    width: canvas.width,
    height: canvas.height,
    fps: o.fps,
    preset: draft ? DRAFT_PRESET : (o.preset ?? DEFAULT_PRESET),
    ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onFinalizing: () => o.onProgress?.(0.99, 'encoding'),
  });
  return written;
}
