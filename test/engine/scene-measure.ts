// Measurements of what a text-to-video scene shows, on decoded rgb24 frames: the definitions the
// tests and docs/text-to-video.md use for "this prompt's words are in the video".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Frame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Every frame of a video as rgb24, decoded in one ffmpeg run (BT.709, as the file is tagged). */
export async function decodeRgb(path: string, width: number, height: number): Promise<Frame[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const n = width * height * 3;
  return Array.from({ length: Math.floor(stdout.length / n) }, (_, i) => ({ data: new Uint8Array(stdout.buffer, stdout.byteOffset + i * n, n), width, height }));
}

const luma = (r: number, g: number, b: number): number => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/** Mean R, G, B and luma over rows [y0, y1) and columns [x0, x1) given as fractions of the frame. */
export function meanColour(f: Frame, y0 = 0, y1 = 1, x0 = 0, x1 = 1): { r: number; g: number; b: number; l: number } {
  let r = 0, g = 0, b = 0, n = 0;
  for (let y = Math.floor(y0 * f.height); y < Math.floor(y1 * f.height); y++) {
    for (let x = Math.floor(x0 * f.width); x < Math.floor(x1 * f.width); x++) {
      const o = (y * f.width + x) * 3;
      r += f.data[o]!; g += f.data[o + 1]!; b += f.data[o + 2]!; n++;
    }
  }
  return { r: r / n, g: g / n, b: b / n, l: luma(r / n, g / n, b / n) };
}

/** The row (as a fraction of the height) whose mean luma is highest within rows [y0, y1). */
export function brightestRow(f: Frame, y0: number, y1: number): number {
  let best = -1, at = 0;
  for (let y = Math.floor(y0 * f.height); y < Math.floor(y1 * f.height); y++) {
    let s = 0;
    for (let x = 0; x < f.width; x++) {
      const o = (y * f.width + x) * 3;
      s += luma(f.data[o]!, f.data[o + 1]!, f.data[o + 2]!);
    }
    if (s > best) { best = s; at = y; }
  }
  return at / f.height;
}

/** Mean absolute luma change between two frames over rows [y0, y1). */
export function motion(a: Frame, b: Frame, y0 = 0, y1 = 1): number {
  let s = 0, n = 0;
  for (let i = Math.floor(y0 * a.height) * a.width * 3; i < Math.floor(y1 * a.height) * a.width * 3; i += 3, n++) {
    s += Math.abs(luma(a.data[i]!, a.data[i + 1]!, a.data[i + 2]!) - luma(b.data[i]!, b.data[i + 1]!, b.data[i + 2]!));
  }
  return s / n;
}

function lumaPlane(f: Frame): Float32Array {
  const out = new Float32Array(f.width * f.height);
  for (let i = 0; i < out.length; i++) out[i] = luma(f.data[3 * i]!, f.data[3 * i + 1]!, f.data[3 * i + 2]!);
  return out;
}

/**
 * Specks: pixels brighter than `min` that stand out from their 7×7 neighbourhood mean by `above`,
 * i.e. small bright things (snowflakes, stars), not bright areas. Returns a mask.
 */
export function specks(f: Frame, min = 150, above = 35): Uint8Array {
  const { width: w, height: h } = f;
  const l = lumaPlane(f);
  // Summed-area table for the neighbourhood means.
  const sat = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += l[y * w + x]!;
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + row;
    }
  }
  const mask = new Uint8Array(w * h);
  const r = 3;
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      const v = l[y * w + x]!;
      if (v < min) continue;
      const s = sat[(y + r + 1) * (w + 1) + x + r + 1]! - sat[(y - r) * (w + 1) + x + r + 1]! - sat[(y + r + 1) * (w + 1) + x - r]! + sat[(y - r) * (w + 1) + x - r]!;
      if (v - s / 49 > above) mask[y * w + x] = 1;
    }
  }
  return mask;
}

/** Connected groups of set pixels (4-neighbour) in a mask. */
export function countBlobs(mask: Uint8Array, width: number): number {
  const seen = new Uint8Array(mask.length);
  let blobs = 0;
  const stack: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || seen[i]) continue;
    blobs++;
    stack.push(i);
    seen[i] = 1;
    while (stack.length) {
      const j = stack.pop()!;
      for (const k of [j - 1, j + 1, j - width, j + width]) {
        if (k >= 0 && k < mask.length && mask[k] && !seen[k]) {
          seen[k] = 1;
          stack.push(k);
        }
      }
    }
  }
  return blobs;
}

/** Share of pixels in a mask also set in another. */
export function overlap(a: Uint8Array, b: Uint8Array): number {
  let both = 0, n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]) { n++; if (b[i]) both++; }
  return n ? both / n : 0;
}

/** Share of neon pixels: saturated magenta (R, B high, G low) or cyan (G, B high, R low). */
export function neonShare(f: Frame): number {
  let n = 0;
  for (let i = 0; i < f.data.length; i += 3) {
    const r = f.data[i]!, g = f.data[i + 1]!, b = f.data[i + 2]!;
    if ((r > 140 && b > 140 && g < 0.6 * Math.min(r, b)) || (g > 140 && b > 140 && r < 0.6 * Math.min(g, b))) n++;
  }
  return n / (f.width * f.height);
}

/**
 * Small warm lights (lit windows, lamps) within rows [y0, y1): pixels that are warm (red well above
 * blue) and stand out from their neighbourhood as specks do. A warm sky is not counted.
 */
export function warmLights(f: Frame, y0: number, y1: number): number {
  const mask = specks(f, 100, 25);
  let n = 0;
  for (let y = Math.floor(y0 * f.height); y < Math.floor(y1 * f.height); y++) {
    for (let x = 0; x < f.width; x++) {
      const o = (y * f.width + x) * 3;
      const r = f.data[o]!, g = f.data[o + 1]!, b = f.data[o + 2]!;
      if (mask[y * f.width + x] && r > 150 && g > 90 && r - b > 50) n++;
    }
  }
  return n;
}

/** Blobs of a mask within rows [y0, y1) (fractions of the height). */
export function blobsIn(mask: Uint8Array, width: number, height: number, y0: number, y1: number): number {
  return countBlobs(mask.slice(Math.floor(y0 * height) * width, Math.floor(y1 * height) * width), width);
}

/** b − a in luma, averaged over 2r+1 columns when r > 0 (tolerates a slant). */
function change(a: Frame, b: Frame, r: number): Float32Array {
  const w = a.width, h = a.height;
  const la = lumaPlane(a), lb = lumaPlane(b);
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = lb[i]! - la[i]!;
  if (r === 0) return d;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = 0; x < w; x++) {
      s += d[y * w + x]!;
      if (x > 2 * r) s -= d[y * w + x - 2 * r - 1]!;
      if (x >= 2 * r) out[y * w + x - r] = s / (2 * r + 1);
    }
  }
  return out;
}

/**
 * Which way things move vertically over three frames a, b, c. In b − a a falling thing appears
 * where it is in b and vanishes where it was in a; in c − b it appears one step further down. So
 * the two changes correlate positively at a downward offset (the distance fallen per frame), and
 * not at the mirrored upward one; static parts cancel, and a sideways drift is symmetric. Returns
 * the best normalised correlation over offsets 2 … maxShift down and up, and `tall`: the vertical
 * over the horizontal neighbour correlation of b − a (streaks are tall and thin).
 */
export function fallDirection(a: Frame, b: Frame, c: Frame, maxShift: number): { down: number; up: number; tall: number } {
  const w = a.width, h = a.height;
  const d1 = change(a, b, 6), d2 = change(b, c, 6);
  const corr = (p: Float32Array, q: Float32Array, sx: number, sy: number): number => {
    let s = 0;
    for (let y = Math.max(0, -sy); y < Math.min(h, h - sy); y += 2) {
      for (let x = Math.max(0, -sx); x < Math.min(w, w - sx); x += 2) s += p[y * w + x]! * q[(y + sy) * w + x + sx]!;
    }
    return s;
  };
  const norm = Math.max(1e-9, Math.sqrt(corr(d1, d1, 0, 0) * corr(d2, d2, 0, 0)));
  let down = -Infinity, up = -Infinity;
  for (let s = 2; s <= maxShift; s++) {
    down = Math.max(down, corr(d1, d2, 0, s) / norm);
    up = Math.max(up, corr(d1, d2, 0, -s) / norm);
  }
  const raw = change(a, b, 0);
  return { down, up, tall: corr(raw, raw, 0, 1) / Math.max(1e-9, corr(raw, raw, 1, 0)) };
}
