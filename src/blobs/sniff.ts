// Media types from the bytes themselves: a header or a data URI's label is a claim, the magic
// numbers are the evidence.

const ascii = (b: Uint8Array, at: number, text: string): boolean =>
  b.length >= at + text.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

/** The image type of `bytes`, or null when they are no image format reelhouse recognises. */
export function sniffImage(bytes: Uint8Array): string | null {
  if (bytes[0] === 0x89 && ascii(bytes, 1, 'PNG')) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 'GIF8')) return 'image/gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'image/webp';
  if (ascii(bytes, 4, 'ftyp')) {
    if (ascii(bytes, 8, 'avif') || ascii(bytes, 8, 'avis')) return 'image/avif';
    if (ascii(bytes, 8, 'heic') || ascii(bytes, 8, 'heix') || ascii(bytes, 8, 'mif1')) return 'image/heif';
  }
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*')) return 'image/tiff';
  if (ascii(bytes, 0, 'BM')) return 'image/bmp';
  return null;
}

/** The video container of `bytes`, or null. */
export function sniffVideo(bytes: Uint8Array): string | null {
  if (ascii(bytes, 4, 'ftyp')) {
    if (sniffImage(bytes)) return null; // AVIF and HEIF are ISO-BMFF too
    return ascii(bytes, 8, 'qt  ') ? 'video/quicktime' : 'video/mp4';
  }
  if (ascii(bytes, 4, 'moov') || ascii(bytes, 4, 'mdat') || ascii(bytes, 4, 'wide') || ascii(bytes, 4, 'free')) return 'video/quicktime';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'video/webm';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'AVI ')) return 'video/x-msvideo';
  if (bytes[0] === 0x47 && bytes[188] === 0x47) return 'video/mp2t';
  return null;
}

/** Words for what the bytes look like, for messages: "a video (video/mp4)", "text", "HTML". */
export function describeBytes(bytes: Uint8Array): string {
  const image = sniffImage(bytes);
  if (image) return `an image (${image})`;
  const video = sniffVideo(bytes);
  if (video) return `a video (${video})`;
  if (bytes.length === 0) return 'empty';
  if (ascii(bytes, 0, '%PDF')) return 'a PDF document';
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'an HTML page';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'an SVG drawing (not supported: vector images are not decoded)';
  const printable = [...bytes.subarray(0, 512)].every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128);
  return printable ? 'text' : 'data of an unknown format';
}

/** The image formats reelhouse decodes (sharp's own decoders, without HEVC or BMP). */
export const IMAGE_FORMATS = 'JPEG, PNG, WebP, AVIF, GIF (first frame) or TIFF';
