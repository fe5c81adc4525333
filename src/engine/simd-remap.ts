// Per-pixel resampling on the WebAssembly SIMD kernels (simd.ts `p` and `q`): what remap.ts's
// bicubicRow (luma) and bilinearRow (chroma) compute, for warps that are not separable (roll,
// yaw, pitch). Each plane it reads is copied once into the instance's memory with two replicated
// samples around it, so every 4×4 window is in memory and equals the clamped one; positions are
// computed in the instance's memory and each row comes back as bytes.
import { catmullRom } from './sampler.ts';
import { growMemory, simdKernels } from './simd.ts';
import type { SimdKernels } from './simd.ts';
import type { Plane } from './yuv.ts';

const PHASES = 64;
const PAD = 2;
const ONE = 1 << 14; // the 16 weights of a window sum to this

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * For each pair of 64ths (py, px): the 16 products wy[j]·wx[i] as i16, rows 0–1 then 2–3, each
 * row i = 0…3. Rounded, then the largest nudged so that they sum to exactly ONE (a flat picture
 * stays flat). Bicubic: Catmull-Rom over the four; bilinear: the middle two only.
 */
function weightTable(kernel: 'bicubic' | 'bilinear'): Int16Array {
  const phase = Array.from({ length: PHASES + 1 }, (_, p) => {
    const f = p / PHASES;
    if (kernel === 'bilinear') return [0, 1 - f, f, 0];
    const w = [catmullRom(f + 1), catmullRom(f), catmullRom(1 - f), catmullRom(2 - f)];
    const sum = w[0]! + w[1]! + w[2]! + w[3]!;
    return w.map((v) => v / sum);
  });
  const table = new Int16Array((PHASES + 1) * (PHASES + 1) * 16);
  for (let py = 0; py <= PHASES; py++) {
    for (let px = 0; px <= PHASES; px++) {
      const at = (py * (PHASES + 1) + px) * 16;
      let sum = 0;
      let largest = at;
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) {
          const v = Math.round(phase[py]![j]! * phase[px]![i]! * ONE);
          table[at + 4 * j + i] = v;
          sum += v;
          if (v > table[largest]!) largest = at + 4 * j + i;
        }
      }
      table[largest] = table[largest]! + ONE - sum;
    }
  }
  return table;
}

let tables: { bicubic: Int16Array; bilinear: Int16Array } | undefined;

/** Resamples rows of planes at per-pixel positions; create with `create`. */
export class SimdRemap {
  private readonly k: SimdKernels;
  private readonly width: number;
  private readonly lut = 0;
  private readonly bilinear: number;
  private readonly xsAt: number;
  private readonly ysAt: number;
  private readonly outAt: number;
  private readonly colsAt: number;
  private end: number;
  private readonly planes = new Map<Uint8Array, { at: number; stride: number }>();
  private buffer: ArrayBuffer | null = null;
  private views: { xs: Float32Array; ys: Float32Array; out: Uint8Array; cols: Float32Array } | null = null;

  private constructor(width: number, k: SimdKernels) {
    this.k = k;
    this.width = width;
    tables ??= { bicubic: weightTable('bicubic'), bilinear: weightTable('bilinear') };
    this.bilinear = align(tables.bicubic.byteLength, 16);
    this.xsAt = this.bilinear + align(tables.bilinear.byteLength, 16);
    // 16 bytes past each row: the kernel works in fours and may read and write a few past count.
    this.ysAt = this.xsAt + align(4 * width + 16, 16);
    this.outAt = this.ysAt + align(4 * width + 16, 16);
    this.colsAt = this.outAt + align(width + 16, 16);
    this.end = this.colsAt + align(4 * width + 16, 16);
    growMemory(this.k.memory, this.end);
    new Int16Array(k.memory.buffer, this.lut, tables.bicubic.length).set(tables.bicubic);
    new Int16Array(k.memory.buffer, this.bilinear, tables.bilinear.length).set(tables.bilinear);
  }

  /** A remapper for rows of up to `width` samples; null without WebAssembly SIMD. */
  static create(width: number): SimdRemap | null {
    const k = simdKernels();
    return k ? new SimdRemap(width, k) : null;
  }

  /**
   * Where to write one row's source positions (x and y in source sample indices, as bicubicRow
   * takes them) before calling `row` for these planes. The views change when a plane is copied in.
   */
  positions(...planes: Plane[]): { xs: Float32Array; ys: Float32Array } {
    for (const p of planes) if (!this.planes.has(p.data)) this.copy(p);
    return this.current();
  }

  /**
   * Where to write the columns' coordinates for `homography` (a in frames.ts: the warped x of
   * each output column), before rows of these planes; the view changes when a plane is copied in.
   */
  columns(...planes: Plane[]): Float32Array {
    return (this.positions(...planes), this.current().cols);
  }

  /**
   * One row's positions under a homography, into the position buffers: with a the column's
   * coordinate and d = 1 / (h6·a + bd), x = (h0·a + bx)·d·sx − ox and y = (h3·a + by)·d·sy − oy.
   */
  homography(count: number, h0: number, h3: number, h6: number, bx: number, by: number, bd: number, sx: number, sy: number, ox: number, oy: number): void {
    if (count > this.width) throw new RangeError(`a row of ${count} samples, the remapper was made for ${this.width}`);
    this.k.q(this.colsAt, count, this.xsAt, this.ysAt, h0, h3, h6, bx, by, bd, sx, sy, ox, oy);
  }

  /**
   * Resamples `src` at the positions written for the first `count` samples into out[offset…]:
   * bicubic as bicubicRow, or bilinear as bilinearRow (to ±1, positions to 1/128 of a sample).
   */
  row(src: Plane, count: number, out: Uint8Array, offset: number, kernel: 'bicubic' | 'bilinear' = 'bicubic'): void {
    if (count > this.width) throw new RangeError(`a row of ${count} samples, the remapper was made for ${this.width}`);
    const plane = this.planes.get(src.data);
    if (!plane) throw new Error('positions() was not called for this plane');
    const lut = kernel === 'bilinear' ? this.bilinear : this.lut;
    this.k.p(plane.at + PAD * plane.stride + PAD, plane.stride, this.xsAt, this.ysAt, count, lut, this.outAt, src.width - 1, src.height - 1);
    out.set(this.current().out.subarray(0, count), offset);
  }

  private current(): { xs: Float32Array; ys: Float32Array; out: Uint8Array; cols: Float32Array } {
    const buffer = this.k.memory.buffer;
    if (this.buffer !== buffer || !this.views) {
      this.buffer = buffer;
      this.views = {
        xs: new Float32Array(buffer, this.xsAt, this.width),
        ys: new Float32Array(buffer, this.ysAt, this.width),
        out: new Uint8Array(buffer, this.outAt, this.width),
        cols: new Float32Array(buffer, this.colsAt, this.width),
      };
    }
    return this.views;
  }

  /** Copies a plane in with PAD replicated samples on every side. */
  private copy(src: Plane): void {
    const { data, width, height } = src;
    const stride = width + 2 * PAD;
    const at = this.end;
    this.end = align(at + stride * (height + 2 * PAD) + 16, 16); // 16: the last window's load
    growMemory(this.k.memory, this.end);
    const mem = new Uint8Array(this.k.memory.buffer);
    for (let r = 0; r < height + 2 * PAD; r++) {
      const y = Math.min(height - 1, Math.max(0, r - PAD));
      const o = at + r * stride;
      mem.set(data.subarray(y * width, (y + 1) * width), o + PAD);
      mem.fill(data[y * width]!, o, o + PAD);
      mem.fill(data[y * width + width - 1]!, o + PAD + width, o + stride);
    }
    this.planes.set(data, { at, stride });
  }
}
