// The decoder stage, the encoder's mirror: a video file → ffmpeg → raw frames of a chosen size and
// layout, one Uint8Array per frame, pulled with backpressure (ffmpeg blocks on a full pipe while
// the consumer works). Reframe and modify read their source video through it.
import { captureTail, DEFAULT_FFMPEG, FfmpegError, spawnError, spawnTool } from './ffmpeg.ts';
import { abortReason, bytesPerFrame, exitOf, terminate, type PixelFormat } from './encoder.ts';

export interface DecodeOptions {
  /** Frame size out; the source is scaled to it (bicubic, anti-aliased when shrinking). */
  width: number;
  height: number;
  /** 'yuv420p' (BT.709 limited range, like the encoder's input) or 'rgb24'. Default yuv420p. */
  pixelFormat?: PixelFormat;
  /** ffmpeg filters run on the source before the scale, e.g. a crop (`crop=w:h:x:y`). */
  filters?: readonly string[];
  /** At most this many frames. */
  maxFrames?: number;
  ffmpegPath?: string;
  signal?: AbortSignal;
}

function decodeArgs(file: string, o: DecodeOptions): string[] {
  const format = o.pixelFormat ?? 'yuv420p';
  // Sources tag their own matrix (BT.601 for SD, BT.709 for HD); swscale reads it on input and
  // writes BT.709 limited range, the one matrix the engine works in.
  const scale = `scale=${o.width}:${o.height}:flags=bicubic+accurate_rnd+full_chroma_int:out_color_matrix=bt709:out_range=tv`;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats', '-nostdin',
    '-i', file, '-map', '0:v:0', '-an', '-sn',
    ...(o.maxFrames !== undefined ? ['-frames:v', String(o.maxFrames)] : []),
    '-vf', [...(o.filters ?? []), scale, `format=${format}`].join(','),
    '-f', 'rawvideo', '-pix_fmt', format, 'pipe:1',
  ];
}

/**
 * Yields the video's frames, each exactly one frame of `width`×`height` in `pixelFormat`. Ending
 * the loop early, an abort or an error stops ffmpeg; a source ffmpeg cannot read throws FfmpegError.
 *
 * @example
 * for await (const frame of decodeVideo('in.mp4', { width: 960, height: 540 })) encodeFrame(frame);
 */
export async function* decodeVideo(file: string, opts: DecodeOptions): AsyncGenerator<Uint8Array> {
  const { signal } = opts;
  signal?.throwIfAborted();
  const size = bytesPerFrame(opts.pixelFormat ?? 'yuv420p', opts.width, opts.height);
  const binary = opts.ffmpegPath ?? DEFAULT_FFMPEG;
  const child = spawnTool(binary, decodeArgs(file, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrTail = captureTail(child.stderr);
  const exited = exitOf(child);
  const spawnFailure: { error?: Error } = {};
  child.once('error', (err) => {
    spawnFailure.error = spawnError(binary, err);
  });
  const onAbort = (): void => {
    child.stdout?.destroy(abortReason(signal));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  let frame = new Uint8Array(size);
  let filled = 0;
  try {
    const stdout = child.stdout;
    if (!stdout) throw new Error('ffmpeg stdout is not a pipe');
    for await (const chunk of stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(size - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === size) {
          yield frame;
          frame = new Uint8Array(size);
          filled = 0;
        }
      }
    }
    await exited;
    if (spawnFailure.error) throw spawnFailure.error;
    signal?.throwIfAborted();
    if (child.exitCode !== 0) throw new FfmpegError('ffmpeg (decode)', child.exitCode, stderrTail());
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await terminate(child, exited);
  }
}
