// Media helpers for tests: inspect real MP4s with the real ffprobe/ffmpeg, measure PSNR, and make
// detailed test images. Shared by engine, runner and end-to-end tests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

export interface ProbeResult {
  codec: string;
  profile: string;
  pixFmt: string;
  width: number;
  height: number;
  fps: number;
  /** Exact: counted by decoding (-count_frames), not read from the header. */
  frames: number;
  colorSpace?: string;
  colorPrimaries?: string;
  colorTransfer?: string;
  colorRange?: string;
  durationSec: number;
}

interface ProbeStream {
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  nb_read_frames?: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_range?: string;
}

function rate(r: string | undefined): number {
  const [num, den] = (r ?? '0/1').split('/').map(Number);
  return den ? (num ?? 0) / den : (num ?? 0);
}

/** The first video stream of a file, as ffprobe reports it. */
export async function ffprobe(path: string): Promise<ProbeResult> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_streams', '-show_format', '-of', 'json', path],
    { maxBuffer: MAX_BUFFER },
  );
  const json = JSON.parse(stdout) as { streams?: ProbeStream[]; format?: { duration?: string } };
  const s = json.streams?.[0];
  if (!s) throw new Error(`${path}: no video stream`);
  return {
    codec: s.codec_name ?? '',
    profile: s.profile ?? '',
    pixFmt: s.pix_fmt ?? '',
    width: s.width ?? 0,
    height: s.height ?? 0,
    fps: rate(s.r_frame_rate),
    frames: Number(s.nb_read_frames ?? 0),
    colorSpace: s.color_space,
    colorPrimaries: s.color_primaries,
    colorTransfer: s.color_transfer,
    colorRange: s.color_range,
    durationSec: Number(json.format?.duration ?? 0),
  };
}

/** The Y plane (width*height bytes, limited range as stored) of one decoded frame. */
export async function extractLuma(path: string, frameIndex: number | 'last', width: number, height: number): Promise<Uint8Array> {
  const index = frameIndex === 'last' ? (await ffprobe(path)).frames - 1 : frameIndex;
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v', 'error', '-i', path,
      // yuv420p in and out: no conversion, so the Y values are exactly what the encoder stored.
      '-vf', `select=eq(n\\,${index})`, '-fps_mode', 'passthrough', '-frames:v', '1',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: MAX_BUFFER },
  );
  if (stdout.length < width * height) throw new Error(`${path}: frame ${index} not found (${stdout.length} bytes)`);
  return new Uint8Array(stdout.buffer, stdout.byteOffset, width * height);
}

/** BT.709 limited-range luma of rgb24: Y' = 16 + 219 * (0.2126 R + 0.7152 G + 0.0722 B) / 255. */
export function rgbToLuma709(rgb: Buffer | Uint8Array, width: number, height: number): Uint8Array {
  const n = width * height;
  if (rgb.length !== n * 3) throw new RangeError(`expected ${n * 3} bytes of rgb24, got ${rgb.length}`);
  const y = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    y[i] = Math.round(16 + (219 * (0.2126 * rgb[j]! + 0.7152 * rgb[j + 1]! + 0.0722 * rgb[j + 2]!)) / 255);
  }
  return y;
}

/** Peak signal-to-noise ratio in dB (peak 255); Infinity for identical inputs. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`psnr needs equal, non-empty inputs (${a.length} vs ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  if (sum === 0) return Infinity;
  return 10 * Math.log10((255 * 255 * a.length) / sum);
}

// mulberry32: tiny deterministic PRNG, so a seed always gives the same image.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SVG source of the test image: gradients, many shapes, fine stripes and a checkerboard. */
export function testImageSvg(width: number, height: number, seed = 1): string {
  const r = prng(seed);
  const colour = (): string => `hsl(${Math.floor(r() * 360)},${40 + Math.floor(r() * 60)}%,${20 + Math.floor(r() * 60)}%)`;
  const m = Math.min(width, height);
  const parts: string[] = [
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour()}"/>` +
      `<stop offset="1" stop-color="${colour()}"/></linearGradient>` +
      `<radialGradient id="r"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}" stop-opacity="0"/></radialGradient>` +
      `<pattern id="p" width="${Math.max(4, m / 60)}" height="${Math.max(4, m / 60)}" patternUnits="userSpaceOnUse">` +
      `<rect width="50%" height="50%" fill="#fff"/><rect x="50%" y="50%" width="50%" height="50%" fill="#fff"/></pattern></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#g)"/>`,
    `<circle cx="${r() * width}" cy="${r() * height}" r="${m * 0.6}" fill="url(#r)"/>`,
  ];
  for (let i = 0; i < 40; i++) {
    const x = r() * width;
    const y = r() * height;
    const s = m * (0.03 + r() * 0.2);
    const kind = Math.floor(r() * 4);
    const fill = `fill="${colour()}" fill-opacity="${(0.5 + r() * 0.5).toFixed(2)}"`;
    if (kind === 0) parts.push(`<circle cx="${x}" cy="${y}" r="${s / 2}" ${fill} stroke="${colour()}" stroke-width="${1 + r() * 4}"/>`);
    else if (kind === 1) parts.push(`<rect x="${x}" y="${y}" width="${s}" height="${s * (0.3 + r())}" ${fill} transform="rotate(${r() * 90} ${x} ${y})"/>`);
    else if (kind === 2) parts.push(`<polygon points="${x},${y} ${x + s},${y + s / 3} ${x + s / 4},${y + s}" ${fill}/>`);
    else parts.push(`<line x1="${x}" y1="${y}" x2="${x + s * 2}" y2="${y + s}" stroke="${colour()}" stroke-width="${1 + r() * 3}"/>`);
  }
  // Fine detail so a blurred or shifted frame scores visibly lower PSNR.
  const px = r() * width * 0.6;
  const py = r() * height * 0.6;
  parts.push(`<rect x="${px}" y="${py}" width="${width * 0.3}" height="${height * 0.3}" fill="url(#p)" opacity="0.7"/>`);
  for (let i = 0; i < 12; i++) {
    const x = (width * (0.6 + r() * 0.3)) | 0;
    parts.push(`<rect x="${x + i * 3}" y="${height * 0.1}" width="1.5" height="${height * 0.3}" fill="${colour()}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Writes a detailed test image; different seeds give clearly different images. */
export async function makeTestImage(
  path: string,
  opts: { width: number; height: number; seed?: number; format?: 'png' | 'jpeg' },
): Promise<void> {
  const img = sharp(Buffer.from(testImageSvg(opts.width, opts.height, opts.seed ?? 1))).flatten({ background: '#000' });
  await (opts.format === 'jpeg' ? img.jpeg({ quality: 92 }) : img.png()).toFile(path);
}
