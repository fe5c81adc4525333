// Media types from the bytes themselves: a header or a data URI's label is a claim, the magic
// numbers are the evidence.

const ascii = (b: Uint8Array, at: number, text: string): boolean =>
  b.length >= at + text.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

/** The image type of `bytes`, or null when they are no image format reelhouse reads. */
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

export const IMAGE_FORMATS = 'JPEG, PNG, WebP, GIF, AVIF, HEIF, TIFF or BMP';
