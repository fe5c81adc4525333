// Y'CbCr 4:2:0 planes, BT.709 limited range: what H.264 stores. The engine converts each source
// image once and renders straight into this format, so ffmpeg does no per-frame conversion and the
// pipe carries 1.5 bytes per pixel instead of 3. The conversion is the one an encoder would apply
// (tested against ffmpeg's own swscale with out_color_matrix=bt709:out_range=tv).
import type { RgbImage } from './source.ts';

/** One 8-bit plane, row-major, no padding. */
export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A picture as three planes; u and v are half size each way, rounded up. */
export interface YuvImage {
  width: number;
  height: number;
  y: Plane;
  u: Plane;
  v: Plane;
}

// BT.709 luma weights; Cb/Cr scale (B'-Y')/1.8556 and (R'-Y')/1.5748 into [-0.5, 0.5].
const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;
const Y_SCALE = 219 / 255;
const C_SCALE = 224 / 255;

export const chromaSize = (n: number): number => (n + 1) >> 1;

/** Bytes of one yuv420p frame of an even width×height. */
export const frameBytes = (width: number, height: number): number => width * height + 2 * chromaSize(width) * chromaSize(height);

/**
 * Converts rgb24 to Y'CbCr 4:2:0. Chroma is sited as H.264 assumes when a stream does not say
 * (chroma_loc 0, "left"): horizontally on the even luma columns ([1 2 1]/4 filter), vertically
 * halfway between two rows (their mean), so it lines up with luma instead of drifting half a pixel.
 *
 * @example
 * const yuv = rgbToYuv({ data: rgb, width: 960, height: 540 }); // yuv.u.width === 480
 */
export function rgbToYuv(rgb: RgbImage): YuvImage {
  const { width, height, data } = rgb;
  const cw = chromaSize(width);
  const ch = chromaSize(height);
  // One shared buffer in frame layout: render workers are handed the planes without a copy.
  const shared = new SharedArrayBuffer(frameBytes(width, height));
  const y = new Uint8Array(shared, 0, width * height);
  const u = new Uint8Array(shared, width * height, cw * ch);
  const v = new Uint8Array(shared, width * height + cw * ch, cw * ch);
  // Two rows of full-resolution chroma at a time (float32, as the decimation expects): full-size
  // planes cost four times the memory traffic. The loops are per-row functions, called thousands
  // of times: as one long loop run a few times per job, V8 only ever ran it as on-stack-replaced
  // code that deoptimised on every exit, 5–8× slower.
  const cb0 = new Float32Array(width), cb1 = new Float32Array(width);
  const cr0 = new Float32Array(width), cr1 = new Float32Array(width);
  for (let cy = 0; cy < ch; cy++) {
    const row = 2 * cy;
    lumaRow(data, row * width, width, y, cb0, cr0);
    if (row + 1 < height) {
      lumaRow(data, (row + 1) * width, width, y, cb1, cr1);
      chromaRow(cb0, cb1, cr0, cr1, width, cw, u, v, cy * cw);
    } else {
      chromaRow(cb0, cb0, cr0, cr0, width, cw, u, v, cy * cw); // an odd last row is its own pair
    }
  }
  return { width, height, y: { data: y, width, height }, u: { data: u, width: cw, height: ch }, v: { data: v, width: cw, height: ch } };
}

/** Luma of one row into y, and its full-resolution Cb, Cr (float32) into cb, cr. */
function lumaRow(data: Uint8Array, i: number, width: number, y: Uint8Array, cb: Float32Array, cr: Float32Array): void {
  for (let x = 0, j = 3 * i; x < width; x++, i++, j += 3) {
    const r = data[j]!;
    const g = data[j + 1]!;
    const b = data[j + 2]!;
    const l = KR * r + KG * g + KB * b;
    y[i] = 16.5 + Y_SCALE * l; // the store truncates: round half up, as Math.round for x > 0
    cb[x] = (C_SCALE * (b - l)) / 1.8556;
    cr[x] = (C_SCALE * (r - l)) / 1.5748;
  }
}

/** One row of 4:2:0 chroma from two rows of full-resolution chroma. */
function chromaRow(b0: Float32Array, b1: Float32Array, r0: Float32Array, r1: Float32Array, width: number, cw: number, u: Uint8Array, v: Uint8Array, o: number): void {
  const last = width - 1;
  for (let cx = 0; cx < cw; cx++, o++) {
    const x = 2 * cx;
    const xl = x > 0 ? x - 1 : 0;
    const xr = x < last ? x + 1 : last;
    const sb = b0[xl]! + 2 * b0[x]! + b0[xr]! + b1[xl]! + 2 * b1[x]! + b1[xr]!;
    const sr = r0[xl]! + 2 * r0[x]! + r0[xr]! + r1[xl]! + 2 * r1[x]! + r1[xr]!;
    // Cb and Cr stay within 128 ± 112, so the truncating store is a rounding with no clamp.
    u[o] = 128.5 + sb / 8;
    v[o] = 128.5 + sr / 8;
  }
}

/** The planes of a yuv420p frame buffer (views, no copy). */
export function framePlanes(frame: Uint8Array, width: number, height: number): [Plane, Plane, Plane] {
  const cw = chromaSize(width);
  const ch = chromaSize(height);
  const ySize = width * height;
  const cSize = cw * ch;
  if (frame.length !== ySize + 2 * cSize) throw new RangeError(`frame is ${frame.length} bytes, expected ${ySize + 2 * cSize}`);
  return [
    { data: frame.subarray(0, ySize), width, height },
    { data: frame.subarray(ySize, ySize + cSize), width: cw, height: ch },
    { data: frame.subarray(ySize + cSize), width: cw, height: ch },
  ];
}

/** Copies a picture into a frame buffer of the same size. */
export function copyInto(frame: Uint8Array, image: YuvImage): void {
  const [y, u, v] = framePlanes(frame, image.width, image.height);
  y.data.set(image.y.data);
  u.data.set(image.u.data);
  v.data.set(image.v.data);
}

/**
 * A small rgb24 picture of a yuv420p frame (nearest luma sample, every `step` pixels), for
 * previews: cheap enough to make once a second during a render.
 */
export function yuvToRgbPreview(frame: Uint8Array, width: number, height: number, maxWidth = 320): RgbImage {
  const [yp, up, vp] = framePlanes(frame, width, height);
  const step = Math.max(1, Math.ceil(width / maxWidth));
  const w = Math.floor(width / step);
  const h = Math.floor(height / step);
  const out = new Uint8Array(w * h * 3);
  const clamp = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : Math.round(x));
  for (let j = 0, o = 0; j < h; j++) {
    const sy = j * step;
    for (let i = 0; i < w; i++, o += 3) {
      const sx = i * step;
      const l = (yp.data[sy * width + sx]! - 16) / Y_SCALE;
      const c = (sy >> 1) * up.width + (sx >> 1);
      const pb = ((up.data[c]! - 128) / C_SCALE) * 1.8556;
      const pr = ((vp.data[c]! - 128) / C_SCALE) * 1.5748;
      const r = l + pr;
      const b = l + pb;
      out[o] = clamp(r);
      out[o + 1] = clamp((l - KR * r - KB * b) / KG);
      out[o + 2] = clamp(b);
    }
  }
  return { data: out, width: w, height: h };
}
