// Whether an image input is one the renderer can use, decided before any work starts:
// 1. the bytes' magic says which format it is (a name or a header is only a claim);
// 2. its declared size is read from the header alone, and more than `maxPixels` is refused
//    before a decoder allocates anything (decompression bombs);
// 3. it is decoded once, small (JPEG and WebP shrink on load), failing on truncation, so a broken
//    file is a clear 422 at the door rather than a failed render later.
// Accepted: JPEG, PNG, WebP, AVIF, GIF (its first frame) and TIFF; EXIF orientation is honoured
// by the renderer, and the sizes reported here are upright.
import sharp, { type Metadata } from 'sharp';
import { describeBytes, IMAGE_FORMATS, sniffImage } from '../blobs/sniff.ts';
import { headerDimensions } from './image-header.ts';

export interface ImageLimits {
  /** Most pixels (width × height) of an accepted image. */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 50_000_000 };

export interface ImageInfo {
  contentType: string;
  width: number;
  height: number;
}

/** Why an input is not a usable image; the message completes "image_url …". */
export class MediaError extends Error {}

const UNSUPPORTED: Record<string, string> = {
  'image/bmp': 'is a BMP image, which this server does not decode',
  'image/heif': 'is a HEIC/HEIF image, which this server does not decode (its HEVC codec is not included)',
};

const tooLarge = (w: number, h: number, limits: ImageLimits): MediaError =>
  new MediaError(
    `is ${w}×${h} pixels (${Math.round((w * h) / 1e6)} MP), over this server's limit of ` +
      `${Math.round(limits.maxPixels / 1e6)} MP (REELHOUSE_MAX_IMAGE_MEGAPIXELS); scale it down first`,
  );

/**
 * The cheap checks, on the first bytes alone: format and declared size. Returns the type; throws
 * a MediaError. Dimensions not found in `head` are left to `checkImage`.
 */
export function checkImageHead(head: Uint8Array, limits: ImageLimits): string {
  const type = sniffImage(head);
  if (!type) throw new MediaError(`is not an image this server can read: it looks like ${describeBytes(head)}; send ${IMAGE_FORMATS}`);
  const unsupported = UNSUPPORTED[type];
  if (unsupported) throw new MediaError(`${unsupported}; send ${IMAGE_FORMATS}`);
  const dims = headerDimensions(head, type);
  if (dims && dims.width * dims.height > limits.maxPixels) throw tooLarge(dims.width, dims.height, limits);
  if (dims && (dims.width === 0 || dims.height === 0)) throw new MediaError('is an image with no pixels (0 wide or 0 high)');
  return type;
}

/** The full check of a local file or an in-memory image; throws a MediaError. */
export async function checkImage(input: string | Buffer, head: Uint8Array, limits: ImageLimits): Promise<ImageInfo> {
  const contentType = checkImageHead(head, limits);
  let meta: Metadata;
  try {
    // Header only: no pixel is decoded, so no pixel limit is needed for this call.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new MediaError(`could not be read as ${contentType}: ${(err as Error).message}`);
  }
  const w = meta.width;
  const h = meta.height;
  if (!w || !h) throw new MediaError('is an image with no pixels (0 wide or 0 high)');
  if (w * h > limits.maxPixels) throw tooLarge(w, h, limits);
  if (meta.format === 'heif' && meta.compression !== 'av1') throw new MediaError(`${UNSUPPORTED['image/heif']}; send ${IMAGE_FORMATS}`);
  try {
    await sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'truncated', autoOrient: true })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (err) {
    const why = (err as Error).message.replace(/^Vips\w*:\s*/, '').split('\n')[0];
    throw new MediaError(`is a damaged or incomplete ${contentType.replace('image/', '').toUpperCase()} image (${why})`);
  }
  const upright = meta.autoOrient;
  return { contentType, width: upright.width, height: upright.height };
}
