// Float conversions between BT.709 limited-range Y'CbCr (the bytes of a yuv420p frame) and
// R'G'B' in [0, 1], for building transforms that are described in RGB (the prompt's grades).
// The same matrix as src/engine/yuv.ts, which converts whole pictures.

const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;

/** [Y, Cb, Cr] bytes (limited range, possibly out of it) → [R, G, B] in [0, 1], unclamped. */
export function yuvToRgb(y: number, u: number, v: number): [number, number, number] {
  const l = (y - 16) / 219;
  const pb = ((u - 128) / 224) * 1.8556;
  const pr = ((v - 128) / 224) * 1.5748;
  const r = l + pr;
  const b = l + pb;
  return [r, (l - KR * r - KB * b) / KG, b];
}

/** [R, G, B] in [0, 1] → [Y, Cb, Cr] in byte units, unrounded. */
export function rgbToYuvFloat(r: number, g: number, b: number): [number, number, number] {
  const l = KR * r + KG * g + KB * b;
  return [16 + 219 * l, 128 + (224 * (b - l)) / 1.8556, 128 + (224 * (r - l)) / 1.5748];
}

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
export const clampByte = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);
