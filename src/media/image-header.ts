// Image dimensions read from the first bytes of a file, without a decoder: enough to refuse a
// decompression bomb (a small file that claims 30000×30000 pixels) before anything allocates
// for it. Covers the formats whose size sits at the start (PNG, GIF, WebP) or after the header
// segments (JPEG, in the first 256 KiB for all but absurd EXIF blocks). Others answer null and
// are measured by sharp's header reader (image-check.ts).

export interface Dimensions {
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number): number => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 65536 + u16be(b, i + 2);
const tag = (b: Uint8Array, i: number): string => String.fromCharCode(...b.subarray(i, i + 4));

function jpeg(b: Uint8Array): Dimensions | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data before a frame header
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webp(b: Uint8Array): Dimensions | null {
  const chunk = tag(b, 12);
  if (chunk === 'VP8X') return { width: 1 + u24le(b, 24), height: 1 + u24le(b, 27) };
  if (chunk === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  return null;
}

/** Width and height as the file declares them, or null when they are not in `head`. */
export function headerDimensions(head: Uint8Array, type: string): Dimensions | null {
  switch (type) {
    case 'image/png':
      return tag(head, 12) === 'IHDR' && head.length >= 24 ? { width: u32be(head, 16), height: u32be(head, 20) } : null;
    case 'image/gif':
      return head.length >= 10 ? { width: u16le(head, 6), height: u16le(head, 8) } : null;
    case 'image/jpeg':
      return jpeg(head);
    case 'image/webp':
      return head.length >= 30 ? webp(head) : null;
    default:
      return null;
  }
}
