// Turning an image file into what the renderer samples: decoded by sharp once per sampling level,
// upright (EXIF orientation), flattened, 8-bit sRGB, cover-fitted to the output aspect.
import sharp from 'sharp';

/** Packed 8-bit RGB (rgb24), row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * One input image ready for rendering. `base` is the cover-fitted image at the output size (the
 * exact frame a video starts or lands on); `detail` is the same framing pre-scaled by the camera's
 * maximum zoom, so that sampling a zoomed crop from it is close to 1:1.
 */
export interface Source {
  base: RgbImage;
  detail: RgbImage;
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

// Both levels resample the SAME integer crop of the original with fit 'fill' (equivalent to
// sharp's fit 'cover' with centre position, up to a sub-pixel rounding of the crop). Using sharp's
// own cover for each size would round each level's crop offset independently, leaving the two
// levels up to half a pixel apart, a visible twitch between frame 0 and frame 1.
async function fitCrop(path: string, crop: Crop, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(path, { autoOrient: true })
    .extract(crop)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .flatten({ background: ALPHA_BACKGROUND })
    .toColourspace('srgb') // CMYK, greyscale and 16-bit sources all end up as 8-bit sRGB
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`decoding ${path} gave ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`);
  }
  return { data, width, height };
}

/**
 * The cover-fitted reference image: centre-cropped to the output aspect, resized with lanczos3,
 * rgb24 of exactly width*height*3 bytes. A video rendered from `imagePath` starts (or lands) on
 * precisely these pixels, before encoding.
 *
 * @example
 * const rgb = await coverFit('photo.jpg', 960, 540); // rgb.length === 960 * 540 * 3
 */
export async function coverFit(imagePath: string, width: number, height: number): Promise<Buffer> {
  const { width: w, height: h } = await uprightSize(imagePath);
  const image = await fitCrop(imagePath, centreCrop(w, h, width / height), width, height);
  return Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
}

/** Decodes an image into both sampling levels for an output of width×height. */
export async function loadSource(imagePath: string, width: number, height: number, maxZoom: number): Promise<Source> {
  const { width: w, height: h } = await uprightSize(imagePath);
  const crop = centreCrop(w, h, width / height);
  const [base, detail] = await Promise.all([
    fitCrop(imagePath, crop, width, height),
    fitCrop(imagePath, crop, Math.round(width * maxZoom), Math.round(height * maxZoom)),
  ]);
  return { base, detail };
}
