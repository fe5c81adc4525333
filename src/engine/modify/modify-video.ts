// The modify pipeline: source video → decode (ffmpeg, constant rate at the source's own rate and
// size) → the first frame fits the transform → every frame transformed (on a worker thread,
// modify-thread.ts) → encode (ffmpeg). Frames
// stream through with backpressure at both ends; an abort stops both ffmpeg processes and leaves
// no output file. The source's sound, if any, is muxed in afterwards (the duration is the same).
import { addSourceAudio } from '../audio-track.ts';
import { DRAFT_PRESET, encodeVideo } from '../encoder.ts';
import { FfmpegError } from '../ffmpeg.ts';
import { coverFit } from '../source.ts';
import { videoStreamInfo, type VideoStreamInfo } from '../video-info.ts';
import { decodeVideo } from '../video-decoder.ts';
import { rgbToYuv, type YuvImage } from '../yuv.ts';
import { gradeLut, gradeOf } from './grades.ts';
import { scaleLut, type ColourLut } from './lut.ts';
import type { ModifierSetup } from './modifier.ts';
import { ModifyThread } from './modify-thread.ts';
import { modeParams, type ModifyMode } from './modes.ts';

export interface ModifyVideoOptions {
  video: string;
  /** The edited first frame (any image sharp reads); cover-fitted to the video's size. */
  editedImage?: string | undefined;
  /** Read for colour and mood words when there is no edited image. */
  prompt?: string | undefined;
  mode: ModifyMode;
  /** `draft`: the simpler transform (no local grid, no smoothing) and a faster x264 preset. */
  quality: 'standard' | 'draft';
  outPath: string;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** x264 preset; by default the engine's, or its draft preset for drafts. */
  preset?: string;
  signal?: AbortSignal;
  /** fraction ∈ [0, 1], never decreasing; stage is 'analyse' | 'render' | 'finalize'. */
  onProgress?: (fraction: number, stage: string) => void;
  /** Output frames as they are made (yuv420p; valid only during the call). */
  onFrame?: (frame: Uint8Array, width: number, height: number) => void;
  log?: (message: string) => void;
}

/** An input the caller sent cannot be used (a video that does not decode, say): theirs to fix. */
export class ModifyInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'ModifyInputError';
    this.field = field;
  }
}

/** The decoder's frames; its failure, past the worker's probe, is a source that does not decode. */
async function* decodable(frames: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* frames;
  } catch (err) {
    if (!(err instanceof FfmpegError)) throw err;
    const why = err.stderrTail.trim().split('\n').pop()?.replace(/^\[[^\]]*\]\s*/, '') ?? '';
    throw new ModifyInputError('video_url', `video_url could not be decoded${why ? `: ${why}` : ''}`);
  }
}

async function editedFrame(image: string, width: number, height: number): Promise<YuvImage> {
  try {
    return rgbToYuv({ data: await coverFit(image, width, height), width, height });
  } catch (err) {
    throw new ModifyInputError('image_url', `image_url could not be decoded as an image: ${(err as Error).message}`);
  }
}

export interface ModifyVideoResult {
  width: number;
  height: number;
  frames: number;
  fps: number;
  bytes: number;
  /** The prompt's grade words used (empty with an edited image, or when none was known). */
  words: string[];
}

const ANALYSE_SHARE = 0.05;
const FINALIZE_SHARE = 0.03;

/**
 * Modifies a video as the modify endpoints do (see docs/modify.md).
 *
 * @example
 * await modifyVideo({ video: 'in.mp4', editedImage: 'first-frame.png', mode: 'flex_1', quality: 'standard', outPath: 'out.mp4' });
 */
export async function modifyVideo(o: ModifyVideoOptions): Promise<ModifyVideoResult> {
  const { signal } = o;
  let last = 0;
  const progress = (f: number, stage: string): void => {
    last = Math.max(last, Math.min(1, f));
    o.onProgress?.(last, stage);
  };
  progress(0, 'analyse');
  // Started first: loading its modules overlaps the probe and the image's decoding.
  const thread = new ModifyThread();
  try {
    const info = await videoStreamInfo(o.video, { ...(o.ffprobePath ? { ffprobePath: o.ffprobePath } : {}), ...(signal ? { signal } : {}) });
    return await render(o, info, thread, progress);
  } finally {
    await thread.close();
  }
}

async function render(o: ModifyVideoOptions, info: VideoStreamInfo, thread: ModifyThread, progress: (f: number, stage: string) => void): Promise<ModifyVideoResult> {
  const { signal } = o;
  const log = o.log ?? ((): void => undefined);
  // Even sizes (yuv420p): the decoder crops an odd column or row rather than resample the picture.
  const width = Math.max(2, info.width & ~1);
  const height = Math.max(2, info.height & ~1);
  const { fps, frameRate } = info;
  const expected = Math.max(1, Math.round(info.durationSec * fps) || info.frames);
  const params = modeParams(o.mode);
  const setup: ModifierSetup = { width, height, fps, params, draft: o.quality === 'draft' };
  const edited = o.editedImage ? await editedFrame(o.editedImage, width, height) : null;
  let words: string[] = [];
  let lut: ColourLut | undefined;
  if (!edited) {
    const graded = gradeOf(o.prompt ?? '');
    words = graded.words;
    log(words.length
      ? `prompt colour words: ${words.join(', ')}`
      : `no colour or mood word in the prompt${o.prompt ? '' : ' (none given)'}: a gentle default grade`);
    lut = scaleLut(gradeLut(graded.grade), params.promptStrength);
  } else if (o.prompt) {
    log('an edited first frame is given: it sets the colours; the prompt is not read for them');
  }
  log(`${o.mode}${setup.draft ? ' (draft)' : ''}: ${expected} frames at ${width}x${height}, ${frameRate} fps (${info.durationSec.toFixed(2)} s)${info.hasAudio ? ', with sound' : ''}`);
  thread.start({ setup, ...(edited ? { edited } : {}), ...(lut ? { lut } : {}) });

  let t0 = performance.now();
  let count = 0;
  const encodeShare = 1 - ANALYSE_SHARE - FINALIZE_SHARE;
  async function* frames(): AsyncGenerator<Uint8Array> {
    const decoded = decodeVideo(o.video, {
      width, height, signal, ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
      // Constant rate at the source's own rate (a variable-rate phone clip keeps its duration),
      // and an odd column or row cropped rather than the picture resampled.
      filters: [`fps=${frameRate}`, 'crop=trunc(iw/2)*2:trunc(ih/2)*2'],
    });
    const onFit = (ms: number): void => {
      log(`analyse: transform fitted from the first frame to the edited one in ${Math.round(ms)} ms`);
      t0 = performance.now();
    };
    for await (const out of thread.map(decodable(decoded), { ...(signal ? { signal } : {}), onFit })) {
      o.onFrame?.(out, width, height);
      count++;
      progress(ANALYSE_SHARE + (encodeShare * count) / Math.max(count, expected), 'render');
      yield out;
    }
    if (count === 0) throw new ModifyInputError('video_url', 'video_url has no frame that could be decoded');
  }
  const { bytes, frames: written } = await encodeVideo(frames(), {
    outPath: o.outPath, width, height, fps, signal,
    preset: o.preset ?? (setup.draft ? DRAFT_PRESET : undefined),
    ...(o.ffmpegPath ? { ffmpegPath: o.ffmpegPath } : {}),
    onFinalizing: () => progress(1 - FINALIZE_SHARE, 'finalize'),
  });
  if (info.hasAudio) await addSourceAudio(o.outPath, o.video, { ffmpegPath: o.ffmpegPath, signal });
  const seconds = (performance.now() - t0) / 1000;
  log(`finalize: ${written} frames, ${bytes} bytes in ${seconds.toFixed(1)} s (${(written / seconds).toFixed(1)} fps)`);
  progress(1, 'finalize');
  return { width, height, frames: written, fps, bytes, words };
}
