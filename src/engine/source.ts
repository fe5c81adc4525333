// Turning an image file into what the renderer samples: decoded by sharp, upright (EXIF
// orientation), flattened, 8-bit sRGB, cover-fitted to the output aspect, then converted once to
// Y'CbCr 4:2:0 at each sampling level the camera path needs.
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { rgbToYuv } from './yuv.ts';
import type { YuvImage } from './yuv.ts';

/** Packed 8-bit RGB (rgb24), row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The same framing of one image at a given scale of the output size. */
export interface Level {
  /** Nominal scale (level width / output width); sx, sy are the exact per-axis ratios. */
  scale: number;
  sx: number;
  sy: number;
  image: YuvImage;
}

/**
 * One input image ready for rendering. `base` is the cover-fitted image at the output size (the
 * exact frame a video starts or lands on); `levels` (ascending scale, the first is the base) are
 * the same framing pre-scaled so that a zoomed view can be sampled close to 1:1.
 */
export interface Source {
  base: YuvImage;
  levels: Level[];
  /** The base as rgb24, for motion analysis between keyframes. */
  rgbBase: RgbImage;
}

// Transparent pixels become black: a video frame has no alpha, black is how a player shows "no
// picture", and white would bloom under the camera's cross-dissolves.
const ALPHA_BACKGROUND = '#000000';

interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The centred crop of an upright image that has the output's aspect ratio. */
function centreCrop(srcW: number, srcH: number, aspect: number): Crop {
  if (srcW / srcH > aspect) {
    const width = Math.max(1, Math.min(srcW, Math.round(srcH * aspect)));
    return { left: Math.floor((srcW - width) / 2), top: 0, width, height: srcH };
  }
  const height = Math.max(1, Math.min(srcH, Math.round(srcW / aspect)));
  return { left: 0, top: Math.floor((srcH - height) / 2), width: srcW, height };
}

async function uprightSize(path: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path).metadata();
  return meta.autoOrient;
}

// Every level resamples the SAME integer crop of the original with fit 'fill' (equivalent to
// sharp's fit 'cover' with centre position, up to a sub-pixel rounding of the crop). Using sharp's
// own cover for each size would round each level's crop offset independently, leaving levels up
// to half a pixel apart, a visible twitch between frame 0 and frame 1. lanczos3 anti-aliases
// when it shrinks.
async function fitCrop(path: string, crop: Crop, width: number, height: number): Promise<RgbImage> {
  return fitted(sharp(path, { autoOrient: true }).extract(crop), width, height, path);
}

/** The steps after the crop: lanczos3 to the size, then 8-bit sRGB without alpha. */
async function fitted(input: Sharp, width: number, height: number, name: string): Promise<RgbImage> {
  const { data, info } = await input
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .flatten({ background: ALPHA_BACKGROUND })
    .toColourspace('srgb') // CMYK, greyscale and 16-bit sources all end up as 8-bit sRGB
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`decoding ${name} gave ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return { data, width, height };
}

/**
 * The cover-fitted reference image: centre-cropped to the output aspect, resized with lanczos3,
 * rgb24 of exactly width*height*3 bytes. A video rendered from `imagePath` starts (or lands) on
 * precisely these pixels, before the conversion to Y'CbCr.
 *
 * @example
 * const rgb = await coverFit('photo.jpg', 960, 540); // rgb.length === 960 * 540 * 3
 */
export async function coverFit(imagePath: string, width: number, height: number): Promise<Buffer> {
  const { width: w, height: h } = await uprightSize(imagePath);
  const fit = await cropFitter(imagePath, centreCrop(w, h, width / height));
  const image = await fit(width, height);
  return Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
}

/** Level scales from 1 to `max`, each at most `ratio` apart (just [1, max] when ratio is Infinity). */
export function levelScales(max: number, ratio: number): number[] {
  if (max <= 1.0001) return [1];
  const steps = Number.isFinite(ratio) ? Math.max(1, Math.ceil(Math.log(max) / Math.log(ratio))) : 1;
  return Array.from({ length: steps + 1 }, (_, i) => max ** (i / steps));
}

// Every level is resized from the original crop with the same steps, so that levels differ only
// in size. A level resized from another level is softer than its neighbours: the picture's
// sharpness would pulse as the camera crosses from one level to the next, and x264 spent 12% more
// CPU on such frames at 1080p (bench/engine). The crop is decoded once into memory as 8-bit sRGB
// without alpha (transparent pixels flattened onto black; CMYK, greyscale, 16-bit and profiled
// sources converted), and each level is a lanczos3 resize of that: three channels resize in a
// third of the time four take, and the resizes run side by side while ffmpeg waits for its first
// frame. A crop too large to hold is decoded once per level instead.
const MAX_RAW_CROP_PIXELS = 16e6;
const RESIZE_LANES = 3;

type Fit = (width: number, height: number) => Promise<RgbImage>;

async function cropFitter(imagePath: string, crop: Crop): Promise<Fit> {
  if (crop.width * crop.height > MAX_RAW_CROP_PIXELS) return (w, h) => fitCrop(imagePath, crop, w, h);
  const { data, info } = await sharp(imagePath, { autoOrient: true })
    .extract(crop)
    .flatten({ background: ALPHA_BACKGROUND })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== crop.width || info.height !== crop.height) {
    throw new Error(`decoding ${imagePath} gave ${info.width}x${info.height}x${info.channels}, expected ${crop.width}x${crop.height}x3`);
  }
  const raw = { width: crop.width, height: crop.height, channels: 3 } as const;
  return async (width, height) => ({ data: await sharp(data, { raw }).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer(), width, height });
}

/**
 * Decodes an image for an output of width×height at the given scales (≥ 1). Scales above what the
 * original holds are capped there: enlarging beforehand would add nothing the sampler cannot.
 */
export async function loadSource(imagePath: string, width: number, height: number, scales: readonly number[] = [1]): Promise<Source> {
  const { width: w, height: h } = await uprightSize(imagePath);
  const crop = centreCrop(w, h, width / height);
  const native = Math.max(1, Math.min(crop.width / width, crop.height / height));
  const wanted = [...new Set(scales.map((s) => Math.min(Math.max(1, s), native)))].sort((a, b) => a - b);
  const sizeAt = (s: number): [number, number] => [Math.round(width * s), Math.round(height * s)];
  const fit = await cropFitter(imagePath, crop);
  // Up to three resizes run side by side (a push-in's three levels all at once); each level is
  // converted as soon as it exists and its RGB dropped, so a ladder of nine does not hold nine.
  let rgbBase: RgbImage | undefined;
  const levels: Level[] = new Array<Level>(wanted.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < wanted.length; i = next++) {
      const s = wanted[i]!;
      const rgb = await fit(...sizeAt(s));
      if (s === 1) rgbBase = rgb;
      levels[i] = { scale: s, sx: rgb.width / width, sy: rgb.height / height, image: rgbToYuv(rgb) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(RESIZE_LANES, wanted.length) }, lane));
  if (!rgbBase) throw new Error('the base level is missing'); // wanted always holds 1
  return { base: levels[0]!.image, levels, rgbBase };
}
