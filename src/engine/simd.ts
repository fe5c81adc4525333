// The separable resampler's two passes as WebAssembly SIMD, assembled here from opcodes (no
// toolchain, no binary in the repository). It computes what sampler.ts computes with the 4-tap
// kernel, in 16-bit intermediates: the horizontal pass does four output pixels per step and the
// vertical pass eight, both with i32x4.dot_i16x8_s. About 3× faster than the JS loops; the
// JS sampler remains for widened kernels and wherever WebAssembly SIMD is missing. A third
// function samples per pixel (remap.ts's bicubic, for warps that are not separable): 3× the JS
// loop on a 1080p plane.

// --- a minimal WebAssembly binary writer -------------------------------------------------------

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Instructions used below.
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32 = (n: number): number[] => [0x41, ...sleb(n)];
const add = [0x6a], mul = [0x6c], shl = [0x74], ltS = [0x48];
const load32 = (offset = 0): number[] => [0x28, 2, ...uleb(offset)];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128load = (offset = 0): number[] => simd(0x00, 0, ...uleb(offset));
const store64lane = (lane: number): number[] => simd(0x5b, 0, 0, lane);
const v128const = (bytes: number[]): number[] => simd(0x0c, ...bytes);
const i32x4 = (n: number): number[] => v128const([0, 1, 2, 3].flatMap(() => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255]));
const shuffle = (lanes: number[]): number[] => simd(0x0d, ...lanes);
const f32x4 = (v: number): number[] => v128const([0, 1, 2, 3].flatMap(() => [...new Uint8Array(new Float32Array([v]).buffer)]));
const loop = (body: number[]): number[] => [0x02, 0x40, 0x03, 0x40, ...body, 0x0b, 0x0b]; // block { loop { … } }
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];

/**
 * h(src, stride, rows, colStart, colW, width, tmp, tmpStride): for each of `rows` source rows
 * (src + r*stride), writes width (a multiple of 4) 12.4 fixed-point samples (i16) at
 * tmp + r*tmpStride*2. Per group of four output pixels, colStart holds (20 bytes a group) the i32
 * offset of its first window and a 16-byte swizzle that picks the four 4-tap windows out of the
 * 16 bytes from there (the 4-tap path never steps more than 1.06 a pixel, so they always fit);
 * colW: 4 i16 weights per output pixel (sum 4096). Two rows per step: per row one load and one
 * swizzle, widened to i16, two dot products against weights loaded once for both rows, the pairs
 * summed, rounded, narrowed together and stored as two 64-bit halves.
 */
function hpass(): number[] {
  // params 0 src, 1 stride, 2 rows, 3 colStart, 4 colW, 5 width, 6 tmp, 7 tmpStride
  // locals 8 r, 9 x, 10 row a, 11 out a, 12 group (colStart + 5x), 13 row b, 14 out b, 15 offset;
  // v128: 16 taps a, 17 taps b, 18 weights lo, 19 weights hi, 20 sums a, 21 sums b, 22, 23 dots, 24 swizzle
  // [x:a, x:b, x+1:a, x+1:b] [x+2:a, …] → a's + b's, rounded, >> 8
  const sums = (taps: number, into: number): number[] => [
    ...get(taps), ...simd(0x89), ...get(18), ...simd(0xba), ...set(22),
    ...get(taps), ...simd(0x8a), ...get(19), ...simd(0xba), ...set(23),
    ...get(22), ...get(23), ...shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]),
    ...get(22), ...get(23), ...shuffle([4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]),
    ...simd(0xae), ...i32x4(128), ...simd(0xae), ...i32(8), ...simd(0xac), ...set(into),
  ];
  const body = [
    ...i32(0), ...set(8),
    ...loop([
      ...get(8), ...get(2), ...ltS, 0x45, ...brIf(1), // r < rows else break
      ...get(0), ...get(8), ...get(1), ...mul, ...add, ...set(10),
      ...get(6), ...get(8), ...get(7), ...mul, ...i32(1), ...shl, ...add, ...set(11),
      // the second row of the pair; an odd last row is done twice, in place
      ...get(10), ...get(1), ...add, ...get(10), ...get(8), ...i32(1), ...add, ...get(2), ...ltS, 0x1b, ...set(13),
      ...get(11), ...get(7), ...i32(1), ...shl, ...add, ...get(11), ...get(8), ...i32(1), ...add, ...get(2), ...ltS, 0x1b, ...set(14),
      ...i32(0), ...set(9),
      ...get(3), ...set(12),
      ...loop([
        ...get(9), ...get(5), ...ltS, 0x45, ...brIf(1),
        ...get(12), ...load32(), ...set(15),
        ...get(12), ...v128load(4), ...set(24),
        ...get(10), ...get(15), ...add, ...v128load(), ...get(24), ...simd(0x0e), ...set(16),
        ...get(13), ...get(15), ...add, ...v128load(), ...get(24), ...simd(0x0e), ...set(17),
        ...get(4), ...get(9), ...i32(3), ...shl, ...add, ...set(15),
        ...get(15), ...v128load(), ...set(18),
        ...get(15), ...v128load(16), ...set(19),
        ...sums(16, 20), ...sums(17, 21),
        ...get(20), ...get(21), ...simd(0x85), ...set(22), // narrow both rows: a in the low half, b in the high
        ...get(11), ...get(9), ...i32(1), ...shl, ...add, ...get(22), ...store64lane(0),
        ...get(14), ...get(9), ...i32(1), ...shl, ...add, ...get(22), ...store64lane(1),
        ...get(9), ...i32(4), ...add, ...set(9),
        ...get(12), ...i32(20), ...add, ...set(12),
        ...br(0),
      ]),
      ...get(8), ...i32(2), ...add, ...set(8),
      ...br(0),
    ]),
    0x0b,
  ];
  return [...vec([[8, 0x7f], [9, 0x7b]]), ...body]; // locals: 8 i32, 9 v128
}

/**
 * v(tmp, tmpStride, rowStart, rowW, width, height, out, outStride): output row y mixes the four
 * tmp rows from rowStart[y] (relative to tmp) with the i32 weights rowW[4y…4y+3]; eight pixels per
 * step, saturated to u8. width is padded up to a multiple of 8 (out and tmp must have the room).
 */
function vpass(): number[] {
  // params 0 tmp, 1 tmpStride, 2 rowStart, 3 rowW, 4 width, 5 height, 6 out, 7 outStride
  // locals 8 y, 9 p (byte offset in a tmp row), 10–13 the four tmp rows, 14 o, 15 bytes per tmp
  // row, 16 end of a row (bytes); v128: 17 weights of rows 0, 1 and 18 of rows 2, 3 as i16 pairs,
  // 19 lo, 20 hi, 21, 22 two tmp rows' 8 samples
  // Rows are taken in pairs: their samples interleaved (a0 b0 a1 b1 …) against (wa wb wa wb …),
  // so one i32x4.dot_i16x8_s makes four pixels' share of two taps.
  const interleaveLow = shuffle([0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23]);
  const interleaveHigh = shuffle([8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31]);
  const pair = (k: number, w: number): number[] => [
    ...get(10 + k), ...get(9), ...add, ...v128load(), ...set(21),
    ...get(11 + k), ...get(9), ...add, ...v128load(), ...set(22),
    ...get(21), ...get(22), ...interleaveLow, ...get(w), ...simd(0xba), ...get(19), ...simd(0xae), ...set(19),
    ...get(21), ...get(22), ...interleaveHigh, ...get(w), ...simd(0xba), ...get(20), ...simd(0xae), ...set(20),
  ];
  // (w[k+1] << 16) | (w[k] & 0xffff), splat: the two weights as adjacent i16 lanes
  const weights = (k: number, local: number): number[] => [
    ...get(3), ...get(8), ...i32(4), ...shl, ...add, ...load32(4 * k + 4), ...i32(16), ...shl,
    ...get(3), ...get(8), ...i32(4), ...shl, ...add, ...load32(4 * k), ...i32(0xffff), 0x71, // i32.and
    0x72, // i32.or
    ...simd(0x11), ...set(local),
  ];
  const body = [
    ...get(1), ...i32(1), ...shl, ...set(15),
    ...get(4), ...i32(1), ...shl, ...set(16),
    ...i32(0), ...set(8),
    ...loop([
      ...get(8), ...get(5), ...ltS, 0x45, ...brIf(1),
      // row pointers and weights once per output row; the inner loop only adds an offset
      ...get(0), ...get(2), ...get(8), ...i32(2), ...shl, ...add, ...load32(), ...get(15), ...mul, ...add, ...set(10),
      ...get(10), ...get(15), ...add, ...set(11),
      ...get(11), ...get(15), ...add, ...set(12),
      ...get(12), ...get(15), ...add, ...set(13),
      ...weights(0, 17), ...weights(2, 18),
      ...get(6), ...get(8), ...get(7), ...mul, ...add, ...set(14),
      ...i32(0), ...set(9),
      ...loop([
        ...get(9), ...get(16), ...ltS, 0x45, ...brIf(1),
        ...i32x4(1 << 15), ...set(19), ...i32x4(1 << 15), ...set(20),
        ...pair(0, 17), ...pair(2, 18),
        ...get(14),
        ...get(19), ...i32(16), ...simd(0xac), ...get(20), ...i32(16), ...simd(0xac), ...simd(0x85), // narrow i32→i16
        ...get(21), ...simd(0x66), // narrow i16→u8 (saturating); second operand is ignored (high half)
        ...store64lane(0),
        ...get(9), ...i32(16), ...add, ...set(9),
        ...get(14), ...i32(8), ...add, ...set(14),
        ...br(0),
      ]),
      ...get(8), ...i32(1), ...add, ...set(8),
      ...br(0),
    ]),
    0x0b,
  ];
  return [...vec([[9, 0x7f], [6, 0x7b]]), ...body];
}

/**
 * p(src, stride, xs, ys, count, lut, out, maxX, maxY): per-pixel resampling of one output row
 * through a 4×4 window, what remap.ts's bicubicRow (or, with a bilinear table, bilinearRow)
 * computes. Sample k reads the plane at
 * (xs[k], ys[k]) (f32, source sample indices), clamped to [0, maxX] × [0, maxY]. `src` is the
 * plane's sample (0, 0) inside a copy padded by 2 replicated samples on every side, so every 4×4
 * window lies in memory and equals the clamped one. The window's four rows of four bytes are
 * loaded as one vector and widened to i16; `lut` holds, for each pair of 64ths (py, px), the 16
 * products wy·wx as i16 summing to 2^14 (32 bytes, rows 0–1 then 2–3); two dot products and a
 * horizontal sum make the sample, rounded and clamped to u8 at out[k].
 */
function ppass(): number[] {
  // params 0 src, 1 stride, 2 xs, 3 ys, 4 count, 5 lut, 6 out, 7 maxX, 8 maxY
  // locals i32: 9 k, 10 lut entry, 11 window, 12 (spare); v128: 13 x, 14 y, 15 ix, 16 iy, 17 lut
  // entries, 18 windows, 19 window bytes, 20 dots, 21 maxX, 22 maxY (f32 splats), 23–25 dots
  // Positions four at a time: clamped, integer parts and 64ths as i32x4, then the four lut entries
  // and window addresses; each sample's window and weights follow lane by lane.
  const fromI32 = [0xb2], sub = [0x6b], tee = (i: number): number[] => [0x22, ...uleb(i)];
  const load32zero = (offset = 0): number[] => simd(0x5c, 2, ...uleb(offset));
  const load32lane = (lane: number): number[] => simd(0x56, 0, 0, lane);
  // f32x4 positions at arr + 4k, clamped to [0, max]: into `pos`, integer parts into `int`, and
  // the 64ths (rounded) left on the stack
  const positions = (arr: number, max: number, pos: number, int: number): number[] => [
    ...get(arr), ...get(9), ...i32(2), ...shl, ...add, ...v128load(), ...i32x4(0), ...simd(0xe9), ...get(max), ...simd(0xe8), ...tee(pos),
    ...simd(0xf8), ...tee(int),
    0x1a, // drop: int is kept in its local
    ...get(pos), ...get(int), ...simd(0xfa), ...simd(0xe5), ...f32x4(64), ...simd(0xe6), ...f32x4(0.5), ...simd(0xe4), ...simd(0xf8),
  ];
  // Sample `lane`'s window and weights: four i32 partial sums into local d
  const sample = (lane: number, d: number): number[] => [
    ...get(17), ...simd(0x1b, lane), ...set(10),
    ...get(18), ...simd(0x1b, lane), ...set(11),
    ...get(11), ...load32zero(), ...set(19),
    ...get(11), ...get(1), ...add, ...tee(11), ...get(19), ...load32lane(1), ...set(19),
    ...get(11), ...get(1), ...add, ...tee(11), ...get(19), ...load32lane(2), ...set(19),
    ...get(11), ...get(1), ...add, ...get(19), ...load32lane(3), ...set(19),
    ...get(19), ...simd(0x89), ...get(10), ...v128load(), ...simd(0xba),
    ...get(19), ...simd(0x8a), ...get(10), ...v128load(16), ...simd(0xba),
    ...simd(0xae), ...set(d),
  ];
  // pairwise sums of two vectors' lanes: [a0+a2, a1+a3, b0+b2, b1+b3]
  const pairs = (a: number[], b: number[]): number[] => [
    ...a, ...b, ...shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]),
    ...a, ...b, ...shuffle([8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]),
    ...simd(0xae),
  ];
  // The four samples' totals, rounded, >> 14, saturated to u8 and stored as one 32-bit lane.
  const four = [
    ...pairs(get(20), get(23)), ...set(19),
    ...pairs(get(24), get(25)), ...set(20),
    ...get(19), ...get(20), ...shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]),
    ...get(19), ...get(20), ...shuffle([4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]),
    ...simd(0xae), ...i32x4(1 << 13), ...simd(0xae), ...i32(14), ...simd(0xac), ...set(19),
    ...get(6), ...get(9), ...add,
    ...get(19), ...get(19), ...simd(0x85), ...get(19), ...simd(0x66), // i32 → i16 → u8, saturating
    ...simd(0x5a, 0, 0, 0), // v128.store32_lane lane 0
  ];
  const body = [
    ...get(7), ...fromI32, ...simd(0x13), ...set(21),
    ...get(8), ...fromI32, ...simd(0x13), ...set(22),
    ...i32(0), ...set(9),
    ...loop([
      ...get(9), ...get(4), ...ltS, 0x45, ...brIf(1),
      // lut entries: lut + (py * 65 + px) * 32
      ...positions(3, 22, 14, 16), ...i32x4(65), ...simd(0xb5),
      ...positions(2, 21, 13, 15), ...simd(0xae), ...i32(5), ...simd(0xab), ...get(5), ...simd(0x11), ...simd(0xae), ...set(17),
      // window origins: src + (iy - 1) * stride + ix - 1
      ...get(16), ...get(1), ...simd(0x11), ...simd(0xb5), ...get(15), ...simd(0xae),
      ...get(0), ...get(1), ...sub, ...i32(1), ...sub, ...simd(0x11), ...simd(0xae), ...set(18),
      // a last group past count reads positions left from before and writes past count: both
      // buffers have the room, and the caller takes only count samples
      ...sample(0, 20), ...sample(1, 23), ...sample(2, 24), ...sample(3, 25), ...four,
      ...get(9), ...i32(4), ...add, ...set(9),
      ...br(0),
    ]),
    0x0b,
  ];
  return [...vec([[4, 0x7f], [13, 0x7b]]), ...body];
}

/**
 * q(cols, count, xs, ys, h0, h3, h6, bx, by, bd, sx, sy, ox, oy): one output row's source
 * positions under a homography, four at a time, for p: with a = cols[k] (f32, the column's warped
 * coordinate) and d = 1 / (h6·a + bd), xs[k] = (h0·a + bx)·d·sx − ox and
 * ys[k] = (h3·a + by)·d·sy − oy, what frames.ts computes per pixel. Writes up to three positions
 * past count.
 */
function qpass(): number[] {
  // params i32: 0 cols, 1 count, 2 xs, 3 ys; f32: 4 h0, 5 h3, 6 h6, 7 bx, 8 by, 9 bd, 10 sx,
  // 11 sy, 12 ox, 13 oy
  // locals i32: 14 k, 15 byte offset; v128: 16 a, 17 d, 18–27 splats of params 4–13
  const fadd = simd(0xe4), fsub = simd(0xe5), fmul = simd(0xe6), fdiv = simd(0xe7);
  const store = (offset = 0): number[] => simd(0x0b, 0, ...uleb(offset));
  const splat = (param: number): number => 18 + param - 4;
  const coordinate = (h: number, b: number, scale: number, offset: number, arr: number): number[] => [
    ...get(arr), ...get(15), ...add,
    ...get(splat(h)), ...get(16), ...fmul, ...get(splat(b)), ...fadd, ...get(17), ...fmul, ...get(splat(scale)), ...fmul, ...get(splat(offset)), ...fsub,
    ...store(),
  ];
  const body = [
    ...[4, 5, 6, 7, 8, 9, 10, 11, 12, 13].flatMap((param) => [...get(param), ...simd(0x13), ...set(splat(param))]),
    ...i32(0), ...set(14),
    ...loop([
      ...get(14), ...get(1), ...ltS, 0x45, ...brIf(1),
      ...get(14), ...i32(2), ...shl, ...set(15),
      ...get(0), ...get(15), ...add, ...v128load(), ...set(16),
      ...f32x4(1), ...get(splat(6)), ...get(16), ...fmul, ...get(splat(9)), ...fadd, ...fdiv, ...set(17),
      ...coordinate(4, 7, 10, 12, 2),
      ...coordinate(5, 8, 11, 13, 3),
      ...get(14), ...i32(4), ...add, ...set(14),
      ...br(0),
    ]),
    0x0b,
  ];
  return [...vec([[2, 0x7f], [12, 0x7b]]), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const params = [0x60, ...vec(Array.from({ length: 8 }, () => [0x7f])), 0x00];
  const params9 = [0x60, ...vec(Array.from({ length: 9 }, () => [0x7f])), 0x00];
  const paramsQ = [0x60, ...vec([...Array.from({ length: 4 }, () => [0x7f]), ...Array.from({ length: 10 }, () => [0x7d])]), 0x00];
  const types = section(1, vec([params, params9, paramsQ]));
  const imports = section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])); // memory, min 1 page
  const funcs = section(3, vec([[0], [0], [1], [2]]));
  const exports = section(7, vec([[...str('h'), 0x00, 0x00], [...str('v'), 0x00, 0x01], [...str('p'), 0x00, 0x02], [...str('q'), 0x00, 0x03]]));
  const bodies = [hpass(), vpass(), ppass(), qpass()].map((b) => [...uleb(b.length), ...b]);
  const code = section(10, [...uleb(bodies.length), ...bodies.flat()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
export function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export interface SimdKernels {
  memory: WebAssembly.Memory;
  h: (src: number, stride: number, rows: number, colStart: number, colW: number, width: number, tmp: number, tmpStride: number) => void;
  v: (tmp: number, tmpStride: number, rowStart: number, rowW: number, width: number, height: number, out: number, outStride: number) => void;
  p: (src: number, stride: number, xs: number, ys: number, count: number, lut: number, out: number, maxX: number, maxY: number) => void;
  q: (cols: number, count: number, xs: number, ys: number, h0: number, h3: number, h6: number, bx: number, by: number, bd: number, sx: number, sy: number, ox: number, oy: number) => void;
}

/** Grows a WebAssembly memory to hold at least `bytes` (never shrinks it). */
export function growMemory(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}

/** A fresh instance with its own memory (one per renderer; instances are not shared across threads). */
export function simdKernels(): SimdKernels | null {
  const mod = simdModule();
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(mod, { env: { mem: memory } });
  const { h, v, p, q } = instance.exports as unknown as Pick<SimdKernels, 'h' | 'v' | 'p' | 'q'>;
  return { memory, h, v, p, q };
}
