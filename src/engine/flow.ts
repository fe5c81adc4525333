// Dense optical flow on small grey images: pyramidal Lucas–Kanade with a window around every
// pixel, iterated with warping at each level (coarse to fine), then smoothed. Run once per
// keyframe pair on a downscaled luma (a few hundred pixels across), so plain loops are fast
// enough: ~50 ms for 320×180 both ways.

/** A grey image in floats. */
export interface Gray {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * Flow from image 0 to image 1: the content at (x, y) in image 0 is at (x + u, y + v) in image 1.
 * Interleaved [u, v] per pixel, in pixels of the image it was computed on.
 */
export interface Flow {
  data: Float32Array;
  width: number;
  height: number;
}

/** Halves an image with a [1 3 3 1]/8 filter each way (a cheap, alias-resistant reduction). */
function reduce(g: Gray): Gray {
  const w = Math.max(1, g.width >> 1);
  const h = Math.max(1, g.height >> 1);
  const out = new Float32Array(w * h);
  const at = (x: number, y: number): number => g.data[Math.min(g.height - 1, Math.max(0, y)) * g.width + Math.min(g.width - 1, Math.max(0, x))]!;
  const k = [1, 3, 3, 1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) s += k[i]! * k[j]! * at(2 * x - 1 + i, 2 * y - 1 + j);
      out[y * w + x] = s / 64;
    }
  }
  return { data: out, width: w, height: h };
}

function pyramid(g: Gray, minSize: number): Gray[] {
  const levels = [g];
  while (Math.min(levels.at(-1)!.width, levels.at(-1)!.height) >= 2 * minSize) levels.push(reduce(levels.at(-1)!));
  return levels;
}

/** Bilinear sample, clamped at the edges. */
export function sampleGray(g: Gray, x: number, y: number): number {
  const { data, width, height } = g;
  x = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  y = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  const ix = Math.min(width - 2, x | 0);
  const iy = Math.min(height - 2, y | 0);
  const fx = x - ix;
  const fy = y - iy;
  const i = iy * width + ix;
  if (width < 2 || height < 2) return data[Math.round(y) * width + Math.round(x)]!;
  const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
  const bottom = data[i + width]! + (data[i + width + 1]! - data[i + width]!) * fx;
  return top + (bottom - top) * fy;
}

/** Box filter of radius r (window 2r + 1), separable running sums, edges clamped. */
function boxBlur(src: Float32Array, w: number, h: number, r: number, tmp: Float32Array, out: Float32Array): void {
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let i = -r; i <= r; i++) s += src[row + Math.min(w - 1, Math.max(0, i))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = s / n;
      s += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += tmp[Math.min(h - 1, Math.max(0, i)) * w + x]!;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = s / n;
      s += tmp[Math.min(h - 1, y + r + 1) * w + x]! - tmp[Math.max(0, y - r) * w + x]!;
    }
  }
}

export interface FlowOptions {
  /** Window radius of the local fit (pixels at each level). */
  radius?: number;
  iterations?: number;
  /** Starting flow (a global shift, say) in pixels of the full-size images. */
  initial?: { dx: number; dy: number };
}

/**
 * Dense flow from `a` to `b` (same size).
 *
 * @example
 * const flow = denseFlow(startLuma, endLuma, { initial: { dx: 12, dy: 0 } });
 */
export function denseFlow(a: Gray, b: Gray, opts: FlowOptions = {}): Flow {
  const radius = opts.radius ?? 4;
  const iterations = opts.iterations ?? 4;
  const pa = pyramid(a, 12);
  const pb = pyramid(b, 12);
  const top = pa.length - 1;
  const scaleTop = 2 ** top;
  let fw = pa[top]!.width;
  let fh = pa[top]!.height;
  let flow: Float32Array = new Float32Array(fw * fh * 2);
  for (let i = 0; i < fw * fh; i++) {
    flow[2 * i] = (opts.initial?.dx ?? 0) / scaleTop;
    flow[2 * i + 1] = (opts.initial?.dy ?? 0) / scaleTop;
  }
  for (let level = top; level >= 0; level--) {
    const A = pa[level]!;
    const B = pb[level]!;
    const { width: w, height: h } = A;
    if (w !== fw || h !== fh) flow = upsampleFlow({ data: flow, width: fw, height: fh }, w, h, 2).data;
    fw = w;
    fh = h;
    refine(A, B, flow, radius, iterations);
  }
  return { data: flow, width: fw, height: fh };
}

/** Lucas–Kanade iterations at one level, updating `flow` in place, then a smoothing pass. */
function refine(A: Gray, B: Gray, flow: Float32Array, radius: number, iterations: number): void {
  const { width: w, height: h } = A;
  const n = w * h;
  const ixx = new Float32Array(n), ixy = new Float32Array(n), iyy = new Float32Array(n);
  const ixt = new Float32Array(n), iyt = new Float32Array(n);
  const sxx = new Float32Array(n), sxy = new Float32Array(n), syy = new Float32Array(n);
  const sxt = new Float32Array(n), syt = new Float32Array(n);
  const tmp = new Float32Array(n);
  const warped = new Float32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        warped[i] = sampleGray(B, x + flow[2 * i]!, y + flow[2 * i + 1]!);
      }
    }
    let energy = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const xl = x > 0 ? i - 1 : i, xr = x < w - 1 ? i + 1 : i;
        const yu = y > 0 ? i - w : i, yd = y < h - 1 ? i + w : i;
        // Gradient of the mean of both images: symmetric, so neither image is favoured.
        const gx = (A.data[xr]! - A.data[xl]! + warped[xr]! - warped[xl]!) / ((xr - xl || 1) * 2);
        const gy = (A.data[yd]! - A.data[yu]! + warped[yd]! - warped[yu]!) / (((yd - yu) / w || 1) * 2);
        const gt = warped[i]! - A.data[i]!;
        ixx[i] = gx * gx;
        ixy[i] = gx * gy;
        iyy[i] = gy * gy;
        ixt[i] = gx * gt;
        iyt[i] = gy * gt;
        energy += gx * gx + gy * gy;
      }
    }
    boxBlur(ixx, w, h, radius, tmp, sxx);
    boxBlur(ixy, w, h, radius, tmp, sxy);
    boxBlur(iyy, w, h, radius, tmp, syy);
    boxBlur(ixt, w, h, radius, tmp, sxt);
    boxBlur(iyt, w, h, radius, tmp, syt);
    // Tikhonov term: in flat areas the update fades to zero instead of exploding.
    const lambda = 1e-3 * (energy / n) + 1e-6;
    for (let i = 0; i < n; i++) {
      const a = sxx[i]! + lambda, b = sxy[i]!, d = syy[i]! + lambda;
      const det = a * d - b * b;
      const du = -(d * sxt[i]! - b * syt[i]!) / det;
      const dv = -(a * syt[i]! - b * sxt[i]!) / det;
      // Steps are capped per iteration: LK's linearisation only holds for small moves.
      flow[2 * i] = flow[2 * i]! + Math.max(-2, Math.min(2, du));
      flow[2 * i + 1] = flow[2 * i + 1]! + Math.max(-2, Math.min(2, dv));
    }
    smoothFlow(flow, w, h, 2, tmp);
  }
}

/** Box-smooths both components of a flow field in place. */
function smoothFlow(flow: Float32Array, w: number, h: number, r: number, tmp: Float32Array): void {
  const n = w * h;
  const comp = new Float32Array(n);
  const out = new Float32Array(n);
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) comp[i] = flow[2 * i + c]!;
    boxBlur(comp, w, h, r, tmp, out);
    for (let i = 0; i < n; i++) flow[2 * i + c] = out[i]!;
  }
}

/** Resizes a flow field to w×h, multiplying the vectors by `factor`. */
export function upsampleFlow(f: Flow, w: number, h: number, factor: number): Flow {
  const out = new Float32Array(w * h * 2);
  const u: Gray = { data: new Float32Array(f.width * f.height), width: f.width, height: f.height };
  const v: Gray = { data: new Float32Array(f.width * f.height), width: f.width, height: f.height };
  for (let i = 0; i < f.width * f.height; i++) {
    u.data[i] = f.data[2 * i]!;
    v.data[i] = f.data[2 * i + 1]!;
  }
  const sx = f.width / w, sy = f.height / h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const fx = (x + 0.5) * sx - 0.5, fy = (y + 0.5) * sy - 0.5;
      out[2 * (y * w + x)] = sampleGray(u, fx, fy) * factor;
      out[2 * (y * w + x) + 1] = sampleGray(v, fx, fy) * factor;
    }
  }
  return { data: out, width: w, height: h };
}

/** Bilinear sample of a flow field at (x, y) in its own pixels. */
export function sampleFlow(f: Flow, x: number, y: number): [number, number] {
  const { data, width, height } = f;
  x = x < 0 ? 0 : x > width - 1 ? width - 1 : x;
  y = y < 0 ? 0 : y > height - 1 ? height - 1 : y;
  const ix = Math.min(width - 2, x | 0), iy = Math.min(height - 2, y | 0);
  const fx = x - ix, fy = y - iy;
  const i = 2 * (iy * width + ix), j = i + 2 * width;
  const u = (data[i]! * (1 - fx) + data[i + 2]! * fx) * (1 - fy) + (data[j]! * (1 - fx) + data[j + 2]! * fx) * fy;
  const v = (data[i + 1]! * (1 - fx) + data[i + 3]! * fx) * (1 - fy) + (data[j + 1]! * (1 - fx) + data[j + 3]! * fx) * fy;
  return [u, v];
}
