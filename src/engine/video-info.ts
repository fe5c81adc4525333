// What a runner that reads a source video needs to know before it decodes it: the frame size as
// players show it (a phone's rotation applied, which ffmpeg's decoder also applies before any
// filter; non-square pixels widened or narrowed to square ones), the frame rate as ffmpeg's exact rational, and about how many frames there are. The
// worker has already probed and limited the file (src/media/video-probe.ts); this reads the
// geometry the render needs, which that check does not keep, and whether there is sound to carry.
import { execFile } from 'node:child_process';
import { abortReason } from './encoder.ts';
import { DEFAULT_FFPROBE, spawnError } from './ffmpeg.ts';

export interface VideoStreamInfo {
  /**
   * Displayed size in square pixels: width and height swapped for a ±90° rotation, the width
   * times the sample aspect ratio (even) for anamorphic video.
   */
  width: number;
  height: number;
  /** True when the coded pixels are not square: scale to width × height before anything else. */
  anamorphic: boolean;
  /** Frames per second (average rate; the nominal rate when the container has no average). */
  fps: number;
  /** The same rate as ffmpeg's rational, e.g. `30000/1001`, to hand to the encoder unrounded. */
  frameRate: string;
  /** The stream's frame count when the container states it, else duration × fps rounded. */
  frames: number;
  durationSec: number;
  /** Whether the file has an audio track beside the video. */
  hasAudio: boolean;
}

interface StreamJson {
  codec_type?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  sample_aspect_ratio?: string;
  duration?: string;
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

const ratio = (r: string | undefined, sep = '/'): [number, number] | null => {
  const [num, den] = (r ?? '').split(sep).map(Number);
  return num && den && Number.isFinite(num / den) ? [num, den] : null;
};

/** A rotation of an odd number of quarter turns, in either direction, swaps width and height. */
const sideways = (deg: number): boolean => Math.abs(Math.round(deg / 90)) % 2 === 1;

/**
 * Reads the first video stream's displayed geometry and rate with ffprobe.
 *
 * @example
 * const { width, height, frameRate } = await videoStreamInfo('in.mp4'); // 1080, 1920, '30/1'
 */
export function videoStreamInfo(file: string, opts: { ffprobePath?: string; signal?: AbortSignal } = {}): Promise<VideoStreamInfo> {
  const binary = opts.ffprobePath ?? DEFAULT_FFPROBE;
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', '--', file],
      { maxBuffer: 4 * 1024 * 1024, ...(opts.signal ? { signal: opts.signal } : {}) },
      (err, stdout, stderr) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(spawnError(binary, err));
          if (opts.signal?.aborted) return reject(abortReason(opts.signal));
          return reject(new Error(`ffprobe could not read ${file}: ${String(stderr).trim() || err.message}`));
        }
        try {
          const json = JSON.parse(stdout) as { streams?: StreamJson[]; format?: { duration?: string } };
          const s = json.streams?.find((x) => x.codec_type === 'video');
          if (!s?.width || !s.height) throw new Error('no video stream with a frame size');
          const [num, den] = ratio(s.avg_frame_rate) ?? ratio(s.r_frame_rate) ?? [24, 1];
          const fps = num / den;
          const durationSec = Number(s.duration ?? json.format?.duration ?? 0) || 0;
          const matrix = s.side_data_list?.find((d) => d.side_data_type === 'Display Matrix')?.rotation;
          const turned = sideways(matrix ?? (Number(s.tags?.rotate ?? 0) || 0));
          const [sarNum, sarDen] = ratio(s.sample_aspect_ratio, ':') ?? [1, 1];
          const anamorphic = sarNum !== sarDen;
          // A sample aspect ratio widens (or narrows) the picture along its coded width.
          const shownWidth = anamorphic ? Math.max(2, Math.round((s.width * sarNum) / sarDen / 2) * 2) : s.width;
          const stated = Number(s.nb_frames ?? 0);
          resolve({
            width: turned ? s.height : shownWidth,
            height: turned ? shownWidth : s.height,
            anamorphic,
            fps,
            frameRate: `${num}/${den}`,
            frames: stated > 0 ? stated : Math.max(1, Math.round(durationSec * fps)),
            durationSec,
            hasAudio: json.streams?.some((x) => x.codec_type === 'audio') ?? false,
          });
        } catch (parseErr) {
          reject(new Error(`ffprobe could not read ${file}: ${(parseErr as Error).message}`));
        }
      },
    );
  });
}
