// What the modify pipeline needs to know of its source before decoding: the displayed frame size
// (after the rotation a phone records as metadata, which ffmpeg's decoder applies), the exact frame
// rate as a rational, and the frame count to expect.
import { runTool } from '../ffmpeg.ts';

export interface SourceVideo {
  /** Displayed size, rounded down to even (the decoder crops the odd column or row). */
  width: number;
  height: number;
  /** Frame rate as ffmpeg writes it ("25/1", "30000/1001"); the output keeps it. */
  rate: string;
  fps: number;
  durationSec: number;
  /** round(duration × fps): the frames a constant-rate decode yields, for progress. */
  frames: number;
}

interface ProbeJson {
  streams?: {
    width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; duration?: string;
    tags?: { rotate?: string }; side_data_list?: { rotation?: number }[];
  }[];
  format?: { duration?: string };
}

const asRate = (r: string | undefined): { rate: string; fps: number } | null => {
  const [num = 0, den = 0] = (r ?? '').split('/').map(Number);
  return num > 0 && den > 0 ? { rate: `${num}/${den}`, fps: num / den } : null;
};

/** Probes the first video stream of a file the worker has already checked (video-probe.ts). */
export async function probeSource(file: string, ffprobePath = 'ffprobe', signal?: AbortSignal): Promise<SourceVideo> {
  const out = await runTool(ffprobePath, ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-show_format', '-of', 'json', '--', file], signal);
  const json = JSON.parse(out) as ProbeJson;
  const s = json.streams?.[0];
  if (!s?.width || !s.height) throw new Error(`${file}: no video stream with a frame size`);
  const rotation = Number(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0);
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const [w, h] = quarter ? [s.height, s.width] : [s.width, s.height];
  const r = asRate(s.avg_frame_rate) ?? asRate(s.r_frame_rate) ?? { rate: '24/1', fps: 24 };
  const durationSec = Number(json.format?.duration ?? s.duration ?? 0);
  return {
    width: Math.max(2, w & ~1),
    height: Math.max(2, h & ~1),
    rate: r.rate,
    fps: r.fps,
    durationSec,
    frames: Math.max(1, Math.round(durationSec * r.fps)),
  };
}
