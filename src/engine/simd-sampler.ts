// The separable sampler on the WebAssembly SIMD kernels (simd.ts): the same taps as the JS
// sampler, the two passes in SIMD. Source planes are copied into the instance's memory once, the
// first time each is sampled; each call writes its tap tables there, runs both passes and copies
// the result out. Widened kernels (shrinks past the unfiltered limit) go to the JS passes.
import { fillTaps, PlaneSampler } from './sampler.ts';
import type { Taps } from './sampler.ts';
import { growMemory, simdKernels } from './simd.ts';
import type { SimdKernels } from './simd.ts';
import type { Plane } from './yuv.ts';

const align = (n: number, to: number): number => Math.ceil(n / to) * to;


/** Resamples planes of one output size with the SIMD kernels; create with `create`. */
export class SimdPlaneSampler {
  readonly width: number;
  readonly height: number;
  private readonly k: SimdKernels;
  private readonly js: PlaneSampler;
  private readonly planes = new Map<Uint8Array, number>();
  private readonly cols: Taps = { taps: 4, start: new Int32Array(0), w: new Int32Array(0) };
  private readonly rows: Taps = { taps: 4, start: new Int32Array(0), w: new Int32Array(0) };
  private readonly stride: number; // tmp and out row stride, a multiple of 8
  private readonly colStart: number;
  private readonly colW: number;
  private readonly rowStart: number;
  private readonly rowW: number;
  private readonly tmp: number;
  private readonly out: number;
  private tapsFor = -1; // source size the taps in memory were made for, -1 when none

  private constructor(width: number, height: number, sources: readonly Plane[], k: SimdKernels) {
    this.width = width;
    this.height = height;
    this.k = k;
    this.js = new PlaneSampler(width, height);
    this.stride = align(width, 8);
    const maxRows = Math.max(...sources.map((p) => p.height)) + 8;
    let at = 0;
    const take = (bytes: number): number => {
      const offset = at;
      at = align(at + bytes + 16, 16); // 16 bytes of slack: the kernels read 16 bytes from a window's start
      return offset;
    };
    this.colStart = take(5 * (this.stride + 4));
    this.colW = take(8 * (this.stride + 4));
    this.rowStart = take(4 * height);
    this.rowW = take(16 * height);
    this.tmp = take(2 * this.stride * maxRows);
    this.out = take(this.stride * height);
    growMemory(this.k.memory, at);
    // Planes go after the work areas, each copied in the first time it is sampled: a move samples
    // only some of its levels, and a per-pixel move hardly any through this sampler.
    for (const p of sources) if (!this.planes.has(p.data)) this.planes.set(p.data, take(p.data.length));
  }

  private readonly copied = new Set<Uint8Array>();

  /** The plane's offset in the instance's memory, copied in on first use; undefined if not a source. */
  private planeAt(src: Plane): number | undefined {
    const at = this.planes.get(src.data);
    if (at === undefined || this.copied.has(src.data)) return at;
    growMemory(this.k.memory, at + src.data.length + 16);
    new Uint8Array(this.k.memory.buffer).set(src.data, at);
    this.copied.add(src.data);
    return at;
  }

  /** A sampler for planes of width×height reading the given sources; null without WebAssembly SIMD. */
  static create(width: number, height: number, sources: readonly Plane[]): SimdPlaneSampler | null {
    const k = simdKernels();
    return k ? new SimdPlaneSampler(width, height, sources, k) : null;
  }

  /**
   * As PlaneSampler.sample; `src` must be one of the planes given at creation. With `sameTaps`,
   * xs, ys and the source's size are those of the previous call (Cr after Cb): its taps are reused.
   */
  sample(src: Plane, xs: Float64Array, ys: Float64Array, out: Uint8Array, sameTaps = false): void {
    const { width, height, cols, rows, stride } = this;
    const reuse = sameTaps && this.tapsFor === src.width * 65536 + src.height;
    if (!reuse) {
      fillTaps(xs, width, src.width, cols);
      fillTaps(ys, height, src.height, rows);
    }
    const base = this.planeAt(src);
    this.tapsFor = -1;
    if (cols.taps !== 4 || rows.taps !== 4 || base === undefined) return this.js.sampleWithTaps(src, cols, rows, out);
    const first = rows.start[0]!;
    const count = rows.start[height - 1]! + 4 - first;
    // Four windows of a group span at most 16 bytes whenever the kernel has 4 taps (steps ≤ 1.06).
    if (!reuse && !this.writeTaps(first)) return this.js.sampleWithTaps(src, cols, rows, out);
    this.tapsFor = src.width * 65536 + src.height;
    this.k.h(base + first * src.width, src.width, count, this.colStart, this.colW, align(width, 4), this.tmp, stride); // four pixels per step
    this.k.v(this.tmp, stride, this.rowStart, this.rowW, stride, height, this.out, stride);
    const result = new Uint8Array(this.k.memory.buffer, this.out, stride * height);
    if (stride === width) {
      out.set(result.subarray(0, width * height));
    } else {
      for (let y = 0; y < height; y++) out.set(result.subarray(y * stride, y * stride + width), y * width);
    }
  }

  /** The tap tables in the instance's memory, as the SIMD passes read them. */
  private writeTaps(first: number): boolean {
    const { width, height, cols, rows, stride } = this;
    const buf = this.k.memory.buffer;
    const groups = new DataView(buf, this.colStart, 5 * (stride + 4));
    const colW = new Int16Array(buf, this.colW, 4 * (stride + 4));
    const rowStart = new Int32Array(buf, this.rowStart, height);
    const rowW = new Int32Array(buf, this.rowW, 4 * height);
    const even = align(width, 4);
    for (let i = 0; i < even; i++) {
      const j = Math.min(i, width - 1);
      for (let t = 0; t < 4; t++) colW[4 * i + t] = cols.w[4 * j + t]!;
    }
    // Per four pixels: where their windows start, and which of the 16 bytes from there each reads.
    for (let g = 0; g < even; g += 4) {
      const at = 5 * g;
      const base = cols.start[g]!;
      groups.setInt32(at, base, true);
      for (let k = 0; k < 4; k++) {
        const offset = cols.start[Math.min(g + k, width - 1)]! - base;
        if (offset > 12) return false;
        for (let t = 0; t < 4; t++) groups.setUint8(at + 4 + 4 * k + t, offset + t);
      }
    }
    for (let y = 0; y < height; y++) {
      rowStart[y] = rows.start[y]! - first;
      for (let t = 0; t < 4; t++) rowW[4 * y + t] = rows.w[4 * y + t]!;
    }
    return true;
  }
}
