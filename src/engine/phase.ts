// Phase correlation: the translation between two patches from the peak of their normalised cross
// power spectrum, refined to sub-pixel. The engine uses it to find the global shift between two
// keyframes (the flow's starting point); the tests use it to measure motion in rendered frames.

/** In-place radix-2 complex FFT of length n (a power of two); inverse when `inverse`. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

/** 2D FFT of an n×n grid stored row-major (n a power of two). */
function fft2(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  const r = new Float64Array(n);
  const c = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    const row = re.subarray(y * n, (y + 1) * n);
    const rowI = im.subarray(y * n, (y + 1) * n);
    fft(row, rowI, inverse);
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      r[y] = re[y * n + x]!;
      c[y] = im[y * n + x]!;
    }
    fft(r, c, inverse);
    for (let y = 0; y < n; y++) {
      re[y * n + x] = r[y]!;
      im[y * n + x] = c[y]!;
    }
  }
}

const windows = new Map<number, Float64Array>();
function hann(n: number): Float64Array {
  let w = windows.get(n);
  if (!w) {
    w = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) w[y * n + x] = (0.5 - 0.5 * Math.cos((2 * Math.PI * (x + 0.5)) / n)) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (y + 0.5)) / n));
    }
    windows.set(n, w);
  }
  return w;
}

/** A square patch of `n`×`n` samples with its top-left at (x0, y0), clamped to the image. */
export function patch(data: ArrayLike<number>, width: number, height: number, x0: number, y0: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    const sy = Math.min(height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < n; x++) out[y * n + x] = data[sy * width + Math.min(width - 1, Math.max(0, x0 + x))]!;
  }
  return out;
}

export interface Shift {
  /** How far the content moved from `a` to `b`, in samples (positive = right / down). */
  dx: number;
  dy: number;
  /** Height of the correlation peak: near 1 for a clean translation, near 0 for unrelated patches. */
  peak: number;
}

/**
 * The translation of `b` relative to `a` (both n×n, n a power of two), sub-pixel by fitting a
 * parabola through the peak and its neighbours on each axis.
 *
 * @example
 * phaseCorrelate(patchA, patchB, 64); // { dx: 2.31, dy: -0.48, peak: 0.83 }
 */
export function phaseCorrelate(a: Float64Array, b: Float64Array, n: number): Shift {
  const w = hann(n);
  const meanA = a.reduce((s, v) => s + v, 0) / a.length;
  const meanB = b.reduce((s, v) => s + v, 0) / b.length;
  const ar = new Float64Array(n * n), ai = new Float64Array(n * n);
  const br = new Float64Array(n * n), bi = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    ar[i] = (a[i]! - meanA) * w[i]!;
    br[i] = (b[i]! - meanB) * w[i]!;
  }
  fft2(ar, ai, n, false);
  fft2(br, bi, n, false);
  // Cross power spectrum B·conj(A), normalised: its inverse peaks at the shift of b against a.
  for (let i = 0; i < n * n; i++) {
    const re = br[i]! * ar[i]! + bi[i]! * ai[i]!;
    const im = bi[i]! * ar[i]! - br[i]! * ai[i]!;
    const mag = Math.hypot(re, im) + 1e-12;
    ar[i] = re / mag;
    ai[i] = im / mag;
  }
  fft2(ar, ai, n, true);
  let best = 0;
  for (let i = 1; i < n * n; i++) if (ar[i]! > ar[best]!) best = i;
  const px = best % n;
  const py = Math.floor(best / n);
  const at = (x: number, y: number): number => ar[((y + n) % n) * n + ((x + n) % n)]!;
  const refine = (m: number, c: number, p: number): number => {
    const d = m - 2 * c + p;
    return d < 0 ? (0.5 * (m - p)) / d : 0;
  };
  const c = at(px, py);
  let dx = px + refine(at(px - 1, py), c, at(px + 1, py));
  let dy = py + refine(at(px, py - 1), c, at(px, py + 1));
  if (dx > n / 2) dx -= n;
  if (dy > n / 2) dy -= n;
  return { dx, dy, peak: c };
}
