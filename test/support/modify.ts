// Media for the modify tests: a short source video with a still, textured background and a
// textured box moving across it, its decoded first frame, an edited version of that frame (a
// strong warm grade plus a locally painted patch), and whole-video decoding for measurements.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { makeTestImage } from './media.ts';

const run = promisify(execFile);
const MAX_BUFFER = 512 * 1024 * 1024;

export interface SourceSpec {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** Add a 440 Hz tone as an AAC track. */
  sound?: boolean;
}

/** Writes an H.264 MP4: a still background and a box moving left to right, `fps` × `seconds` frames. */
export async function makeSourceVideo(dir: string, name: string, s: SourceSpec): Promise<string> {
  const bg = path.join(dir, `${name}-bg.png`);
  const fg = path.join(dir, `${name}-fg.png`);
  await makeTestImage(bg, { width: s.width, height: s.height, seed: 5 });
  const box = Math.round(Math.min(s.width, s.height) * 0.45);
  await makeTestImage(fg, { width: box, height: box, seed: 11 });
  const out = path.join(dir, `${name}.mp4`);
  const speed = (s.width * 0.5) / s.seconds;
  await run('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-framerate', String(s.fps), '-i', bg, '-loop', '1', '-framerate', String(s.fps), '-i', fg,
    ...(s.sound ? ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${s.seconds}`] : []),
    '-filter_complex', `[0][1]overlay=x='${Math.round(s.width * 0.1)}+t*${speed.toFixed(2)}':y=${Math.round(s.height * 0.2)}:shortest=1,format=yuv420p[v]`,
    '-map', '[v]', ...(s.sound ? ['-map', '2:a', '-c:a', 'aac'] : []),
    '-t', String(s.seconds), '-r', String(s.fps), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', out,
  ]);
  return out;
}

/** Writes an H.264 MP4 of a camera panning left over a still picture: the content moves right `step` pixels a frame. */
export async function makePanVideo(dir: string, name: string, s: SourceSpec & { step: number }): Promise<string> {
  const frames = Math.round(s.fps * s.seconds);
  const bg = path.join(dir, `${name}-bg.png`);
  await makeTestImage(bg, { width: s.width + s.step * frames + 16, height: s.height, seed: 5 });
  const out = path.join(dir, `${name}.mp4`);
  const x0 = s.step * frames + 8;
  await run('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-framerate', String(s.fps), '-i', bg,
    '-vf', `crop=${s.width}:${s.height}:'${x0}-n*${s.step}':0,format=yuv420p`,
    '-frames:v', String(frames), '-r', String(s.fps), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', out,
  ]);
  return out;
}

/**
 * A copy of `video` whose headers are intact (ffprobe reads it, with the moov atom first) but
 * whose coded frames are noise, so decoding fails.
 */
export async function makeUndecodableVideo(video: string, out: string): Promise<string> {
  const moved = `${out}.faststart.mp4`;
  await run('ffmpeg', ['-v', 'error', '-y', '-i', video, '-c', 'copy', '-movflags', '+faststart', moved]);
  const bytes = fs.readFileSync(moved);
  fs.rmSync(moved);
  const mdat = bytes.indexOf('mdat');
  let seed = 1;
  for (let i = mdat + 200; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  fs.writeFileSync(out, bytes);
  return out;
}

/** The video's frame `index` as a PNG. */
export async function extractFramePng(video: string, index: number, out: string): Promise<string> {
  await run('ffmpeg', ['-v', 'error', '-y', '-i', video, '-vf', `select=eq(n\\,${index})`, '-fps_mode', 'passthrough', '-frames:v', '1', out]);
  return out;
}

/** An edit of a frame: a strong warm grade everywhere and a magenta patch painted in the top-left quarter. */
export async function makeEditedFrame(framePng: string, out: string): Promise<string> {
  const meta = await sharp(framePng).metadata();
  const w = meta.width, h = meta.height;
  const patch = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><circle cx="${w * 0.18}" cy="${h * 0.2}" r="${h * 0.12}" fill="#e020c0"/></svg>`,
  );
  await sharp(framePng)
    .recomb([[1.15, 0.1, 0], [0.02, 0.95, 0], [0, 0, 0.65]])
    .composite([{ input: patch }])
    .png()
    .toFile(out);
  return out;
}

/** Every frame of a video as yuv420p planes (no conversion: the bytes the encoder stored). */
export async function decodeAll(video: string, width: number, height: number): Promise<{ y: Uint8Array; u: Uint8Array; v: Uint8Array }[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', video, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { encoding: 'buffer', maxBuffer: MAX_BUFFER });
  const ys = width * height;
  const cs = (width >> 1) * (height >> 1);
  const size = ys + 2 * cs;
  const frames = [];
  for (let o = 0; o + size <= stdout.length; o += size) {
    const f = new Uint8Array(stdout.buffer, stdout.byteOffset + o, size);
    frames.push({ y: f.subarray(0, ys), u: f.subarray(ys, ys + cs), v: f.subarray(ys + cs) });
  }
  return frames;
}

export const mean = (a: Uint8Array): number => a.reduce((s, x) => s + x, 0) / a.length;

/** Mean absolute difference of two planes. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** Mean chroma distance from neutral (a saturation measure in Cb/Cr units). */
export function chromaSpread(u: Uint8Array, v: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += Math.hypot(u[i]! - 128, v[i]! - 128);
  return s / u.length;
}
