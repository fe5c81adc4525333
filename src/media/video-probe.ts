// Whether a video input is one the server will work on, decided by ffprobe (headers only, with
// a timeout) before any work starts. Limits, documented in docs/files.md:
//   containers  MP4 / MOV (ISO-BMFF) and WebM / Matroska
//   codecs      H.264, HEVC (H.265), VP8, VP9, AV1
//   duration    at most `maxSeconds` (REELHOUSE_MAX_VIDEO_SECONDS)
//   frame size  at most `maxSide` pixels on the longer side (REELHOUSE_MAX_VIDEO_SIDE)
//   frame rate  at most 120 fps
//   size        at most `maxBytes` (the upload and fetch limits)
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { MediaError } from './image-check.ts';

export interface VideoLimits {
  maxSeconds: number;
  maxSide: number;
  maxBytes: number;
  maxFps?: number;
}

export interface VideoInfo {
  contentType: 'video/mp4' | 'video/quicktime' | 'video/webm';
  codec: string;
  width: number;
  height: number;
  durationSec: number;
  fps: number;
  hasAudio: boolean;
}

export const VIDEO_CODECS: Record<string, string> = { h264: 'H.264', hevc: 'HEVC', vp8: 'VP8', vp9: 'VP9', av1: 'AV1' };

interface ProbeJson {
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; duration?: string }[];
  format?: { format_name?: string; duration?: string; tags?: { major_brand?: string } };
}

function runProbe(ffprobePath: string, file: string, timeoutMs: number): Promise<ProbeJson> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file],
      { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) {
          const spawnFailed = (err as NodeJS.ErrnoException).code === 'ENOENT';
          if (spawnFailed) return reject(new Error(`ffprobe not found at ${ffprobePath}; install ffmpeg or set FFPROBE_PATH`));
          if (err.killed) return reject(new MediaError(`could not be read as a video within ${timeoutMs} ms`));
          const why = String(stderr).trim().split('\n').pop()?.replace(/^.*?:\s*/, '') ?? '';
          return reject(new MediaError(`is not a video this server can read${why ? ` (${why})` : ''}`));
        }
        try {
          resolve(JSON.parse(stdout) as ProbeJson);
        } catch {
          reject(new MediaError('is not a video this server can read'));
        }
      },
    );
  });
}

const rate = (r: string | undefined): number => {
  const [num = 0, den = 1] = (r ?? '0/1').split('/').map(Number);
  return den ? num / den : 0;
};

/** Probes a local video file against `limits`; throws a MediaError saying what is wrong. */
export async function probeVideo(file: string, limits: VideoLimits, opts: { ffprobePath?: string; timeoutMs?: number } = {}): Promise<VideoInfo> {
  const { size } = await fsp.stat(file);
  if (size > limits.maxBytes) throw new MediaError(`is ${size} bytes, over this server's limit of ${limits.maxBytes} bytes for videos`);
  const json = await runProbe(opts.ffprobePath ?? 'ffprobe', file, opts.timeoutMs ?? 15_000);
  const format = json.format?.format_name ?? '';
  const contentType = format.includes('mp4') || format.includes('mov')
    ? json.format?.tags?.major_brand === 'qt  ' ? 'video/quicktime' : 'video/mp4'
    : format.includes('matroska') || format.includes('webm') ? 'video/webm' : null;
  if (!contentType) {
    throw new MediaError(`is ${format ? `a ${format} file` : 'a file'} that is not an accepted video; send MP4, MOV, WebM or MKV`);
  }
  const video = json.streams?.find((s) => s.codec_type === 'video');
  if (!video) throw new MediaError('has no video stream');
  const codec = video.codec_name ?? 'unknown';
  if (!VIDEO_CODECS[codec]) {
    throw new MediaError(`uses the ${codec} codec; send ${Object.values(VIDEO_CODECS).join(', ')} video`);
  }
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (!width || !height) throw new MediaError('has a video stream without a frame size');
  if (Math.max(width, height) > limits.maxSide) {
    throw new MediaError(`is ${width}×${height}, over this server's limit of ${limits.maxSide} pixels on the longer side (REELHOUSE_MAX_VIDEO_SIDE)`);
  }
  const durationSec = Number(json.format?.duration ?? video.duration ?? NaN);
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new MediaError('has no known duration');
  if (durationSec > limits.maxSeconds) {
    throw new MediaError(`is ${durationSec.toFixed(1)} s long, over this server's limit of ${limits.maxSeconds} s (REELHOUSE_MAX_VIDEO_SECONDS)`);
  }
  const fps = rate(video.avg_frame_rate) || rate(video.r_frame_rate);
  const maxFps = limits.maxFps ?? 120;
  if (fps > maxFps) throw new MediaError(`runs at ${fps.toFixed(1)} fps, over this server's limit of ${maxFps}`);
  const hasAudio = json.streams?.some((s) => s.codec_type === 'audio') ?? false;
  return { contentType, codec, width, height, durationSec, fps, hasAudio };
}
