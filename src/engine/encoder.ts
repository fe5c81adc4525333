// The encoder stage: raw frames → ffmpeg's stdin → H.264 MP4. One ffmpeg process per video,
// frames streamed with backpressure; the output appears at outPath only when complete. The engine
// sends yuv420p already in BT.709 limited range (src/engine/yuv.ts), so ffmpeg only encodes; rgb24
// is still accepted and converted by swscale with the same matrix.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { captureTail, DEFAULT_FFMPEG, FfmpegError, spawnError, spawnTool } from './ffmpeg.ts';
import { frameBytes } from './yuv.ts';

export interface EncoderOptions {
  outPath: string;
  width: number;
  height: number;
  fps: number;
  /** Layout of the frames written: 'yuv420p' (default, width*height*1.5 bytes) or 'rgb24'. */
  pixelFormat?: PixelFormat;
  /** x264 preset; see DEFAULT_PRESET for the measurements behind the default. */
  preset?: string;
  /** x264 constant rate factor (0–51, lower = better); 18 is visually lossless for these sources. */
  crf?: number;
  ffmpegPath?: string;
  signal?: AbortSignal;
  /** Called once every frame has been handed to ffmpeg and it is flushing and muxing. */
  onFinalizing?: () => void;
}

export type PixelFormat = 'yuv420p' | 'rgb24';

/** Bytes of one frame in a pixel format. */
export function bytesPerFrame(format: PixelFormat, width: number, height: number): number {
  return format === 'rgb24' ? width * height * 3 : frameBytes(width, height);
}

export interface EncodeResult {
  frames: number;
  bytes: number;
}

// Measured on the 2-core dev box, ffmpeg alone, 1080p 120-frame push-in, CRF 18 (photo source):
//   veryfast 40–62 fps, 1.29 MB, PSNR-Y 46.2 dB, SSIM-Y 0.994
//   faster   23–24 fps, 1.72 MB, PSNR-Y 47.2 dB, SSIM-Y 0.995
//   medium   15–26 fps, 1.89 MB, PSNR-Y 48.3 dB, SSIM-Y 0.995
// veryfast is about twice as fast for ~2 dB on content that is already far past visible loss,
// and smaller. (ultrafast is faster still but drops to Constrained Baseline and 7x the bytes.)
export const DEFAULT_PRESET = 'veryfast';
/**
 * The flash endpoints' preset (`quality: 'draft'`). Measured on 720p, 120 frames of ffmpeg's
 * testsrc2, CRF 18: 0.41 s against veryfast's 0.55–0.61 s (1.4×), for 1.6× the bytes. It keeps
 * the High profile; ultrafast would drop to Constrained Baseline.
 */
export const DRAFT_PRESET = 'superfast';
export const DEFAULT_CRF = 18;

/** How long ffmpeg gets to exit after SIGTERM before it is SIGKILLed. */
const KILL_GRACE_MS = 500;

/** The x264 settings and BT.709 tags every reelhouse video is written with (also used by bench). */
export function x264Args(preset = DEFAULT_PRESET, crf = DEFAULT_CRF): string[] {
  return [
    '-c:v', 'libx264', '-preset', preset, '-crf', String(crf),
    '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv',
    '-movflags', '+faststart',
  ];
}

function ffmpegArgs(o: EncoderOptions, tmpPath: string): string[] {
  const format = o.pixelFormat ?? 'yuv420p';
  return [
    '-hide_banner', '-loglevel', 'error', '-nostats',
    '-f', 'rawvideo', '-pix_fmt', format, '-s', `${o.width}x${o.height}`, '-framerate', String(o.fps),
    '-i', 'pipe:0',
    // RGB → Y'CbCr with the BT.709 matrix into limited range. Without out_color_matrix swscale
    // uses BT.601, and tagging alone would then make players show shifted colours.
    ...(format === 'rgb24' ? ['-vf', 'scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=yuv420p'] : []),
    ...x264Args(o.preset, o.crf),
    '-f', 'mp4', '-y', tmpPath,
  ];
}

/** The signal's reason when it is an Error (AbortSignal.abort() gives a DOMException AbortError). */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'string' ? reason : 'The operation was aborted';
  return new DOMException(message, 'AbortError');
}

/** Resolves when the child has exited (or failed to start); never rejects. */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
}

export async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.stdin?.destroy();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Encodes frames (yuv420p by default, or rgb24) into an H.264 High / yuv420p / BT.709 MP4.
 * On failure or abort ffmpeg is killed and no file is left at outPath or beside it. Each frame is
 * in ffmpeg's pipe before the next is requested, so a source may reuse a frame's memory.
 *
 * @example
 * const { bytes } = await encodeVideo(renderFrames(...), { outPath: 'out.mp4', width: 960, height: 540, fps: 24 });
 */
export async function encodeVideo(frames: AsyncIterable<Uint8Array>, opts: EncoderOptions): Promise<EncodeResult> {
  const { outPath, width, height, signal } = opts;
  signal?.throwIfAborted();
  const size = bytesPerFrame(opts.pixelFormat ?? 'yuv420p', width, height);
  const binary = opts.ffmpegPath ?? DEFAULT_FFMPEG;
  await mkdir(dirname(outPath), { recursive: true });
  // Same directory as the target so the final rename is atomic; the name marks it as ours.
  const tmpPath = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(6).toString('hex')}.partial`);

  const child = spawnTool(binary, ffmpegArgs(opts, tmpPath));
  const stderrTail = captureTail(child.stderr);
  const exited = exitOf(child);

  // Anything that must stop the pipeline: abort, ffmpeg failing to start, ffmpeg exiting early.
  let writing = true;
  const stop = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => signal?.removeEventListener('abort', onAbort));
    child.once('error', (err) => reject(spawnError(binary, err)));
    child.once('close', (code) => {
      if (writing || code !== 0) reject(new FfmpegError('ffmpeg', code, stderrTail()));
    });
  });
  stop.catch(() => undefined); // observed through the races below
  // EPIPE when ffmpeg dies mid-write; the 'close' handler above reports the real cause.
  child.stdin?.on('error', () => undefined);
  child.stdout?.resume(); // ffmpeg writes nothing there; never let a pipe fill

  let count = 0;
  try {
    const stdin = child.stdin;
    if (!stdin) throw new Error('ffmpeg stdin is not a pipe');
    for await (const frame of frames) {
      if (frame.length !== size) throw new RangeError(`frame ${count} is ${frame.length} bytes, expected ${size}`);
      // The next frame is asked for only once this one is in the pipe, so a source may draw the
      // next frame over this one's memory (the render pool's ring does). A frame is far larger
      // than the stream's buffer, so waiting for 'drain' waited for exactly this anyway.
      await Promise.race([new Promise((resolve) => stdin.write(frame, resolve)), stop]);
      count++;
    }
    writing = false;
    opts.onFinalizing?.();
    stdin.end();
    await Promise.race([exited, stop]);
    // 'close' may have fired with a failure code that `stop` has not surfaced yet in this tick.
    if (child.exitCode !== 0) throw new FfmpegError('ffmpeg', child.exitCode, stderrTail());
    await rename(tmpPath, outPath);
    const written = await stat(outPath);
    return { frames: count, bytes: written.size };
  } catch (err) {
    await terminate(child, exited);
    await rm(tmpPath, { force: true });
    throw err;
  }
}
