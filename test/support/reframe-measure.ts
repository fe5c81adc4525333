// Measurements for reframed videos, made with ffmpeg directly (not the engine's decoder): textured
// moving sources, every frame as yuv420p, luma PSNR inside a rectangle, frame-difference energy
// inside or outside one, and where a patch of the source landed on the canvas.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTestImage } from './media.ts';

const run = promisify(execFile);
const MAX_BUFFER = 1024 * 1024 * 1024;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A textured moving source: a detailed test image twice the frame size, panned diagonally at
 * `speed` pixels per second, H.264 tagged BT.709 (so every decoder reads the same luma).
 */
export async function makeMovingSource(
  file: string,
  opts: { width: number; height: number; seconds: number; fps: number; seed?: number; speed?: number },
): Promise<void> {
  const image = `${file}.png`;
  const { width: w, height: h } = opts;
  await makeTestImage(image, { width: w * 2, height: h * 2, seed: opts.seed ?? 5 });
  const speed = opts.speed ?? 120;
  await run('ffmpeg', [
    '-v', 'error', '-y', '-loop', '1', '-framerate', String(opts.fps), '-i', image, '-t', String(opts.seconds),
    '-vf', `crop=${w}:${h}:x='min(t*${speed}\\,iw-${w})':y='min(t*${speed / 2}\\,ih-${h})',scale=out_color_matrix=bt709:out_range=tv,format=yuv420p`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '14', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    file,
  ]);
}

/** Every frame of a video as yuv420p of width×height, after optional filters (e.g. a crop). */
export async function readFrames(file: string, width: number, height: number, filters: string[] = []): Promise<Uint8Array[]> {
  const vf = [...filters, `scale=${width}:${height}`, 'format=yuv420p'].join(',');
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], {
    encoding: 'buffer', maxBuffer: MAX_BUFFER,
  });
  const size = width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  const frames: Uint8Array[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) frames.push(new Uint8Array(stdout.buffer, stdout.byteOffset + o, size));
  return frames;
}

/** The luma of `rect` in a frame of width `w` (luma first), row-major. */
export function lumaCrop(frame: Uint8Array, w: number, rect: Rect): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) out.set(frame.subarray((rect.y + y) * w + rect.x, (rect.y + y) * w + rect.x + rect.width), y * rect.width);
  return out;
}

/** Luma PSNR (dB) of `canvas` (width `cw`) inside `rect` against `patch` (rect-sized luma first). */
export function rectPsnr(canvas: Uint8Array, cw: number, rect: Rect, patch: Uint8Array): number {
  let sum = 0;
  for (let y = 0; y < rect.height; y++) {
    const a = (rect.y + y) * cw + rect.x;
    const b = y * rect.width;
    for (let x = 0; x < rect.width; x++) {
      const d = canvas[a + x]! - patch[b + x]!;
      sum += d * d;
    }
  }
  const n = rect.width * rect.height;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / sum);
}

/**
 * Mean squared luma difference between consecutive frames, over the pixels inside `rect`
 * (`inside` true) or outside it: how much a region flickers or moves.
 */
export function frameDiffEnergy(frames: Uint8Array[], width: number, height: number, rect: Rect, inside: boolean): number {
  let sum = 0;
  let n = 0;
  for (let f = 1; f < frames.length; f++) {
    const a = frames[f - 1]!;
    const b = frames[f]!;
    for (let y = 0; y < height; y++) {
      const rowIn = y >= rect.y && y < rect.y + rect.height;
      for (let x = 0; x < width; x++) {
        const isIn = rowIn && x >= rect.x && x < rect.x + rect.width;
        if (isIn !== inside) continue;
        const d = a[y * width + x]! - b[y * width + x]!;
        sum += d * d;
        n++;
      }
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** Where `patch` (pw×ph luma) sits in `canvas` (cw×ch luma): the offset of least squared error. */
export function findPatch(canvas: Uint8Array, cw: number, ch: number, patch: Uint8Array, pw: number, ph: number): { x: number; y: number } {
  let best = Infinity;
  let at = { x: -1, y: -1 };
  for (let oy = 0; oy + ph <= ch; oy++) {
    for (let ox = 0; ox + pw <= cw; ox++) {
      let sum = 0;
      for (let y = 0; y < ph && sum < best; y++) {
        const a = (oy + y) * cw + ox;
        const b = y * pw;
        for (let x = 0; x < pw; x++) {
          const d = canvas[a + x]! - patch[b + x]!;
          sum += d * d;
        }
      }
      if (sum < best) {
        best = sum;
        at = { x: ox, y: oy };
      }
    }
  }
  return at;
}
