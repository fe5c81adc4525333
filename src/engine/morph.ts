// Keyframes: does the end image show the same scene as the start image, moved? If so the video
// travels along the measured flow (each image warped towards the other, then mixed: a morph that
// follows the content); if not, it dissolves. The decision measures the flow: forward and backward
// flows must agree (a real correspondence is consistent both ways) and warping must explain most
// of the difference between the images.
import { denseFlow } from './flow.ts';
import type { Flow, Gray } from './flow.ts';
import { patch, phaseCorrelate } from './phase.ts';
import type { Warp } from './pose.ts';
import type { RgbImage } from './source.ts';
import { framePlanes } from './yuv.ts';
import type { Plane, YuvImage } from './yuv.ts';

/** Flows both ways between the keyframes, on a grid `cell` base pixels apart. */
export interface MorphField {
  forward: Flow;
  backward: Flow;
  /** Base pixels per flow pixel. */
  cell: number;
}

export interface Correspondence {
  /** True when the images correspond well enough to morph. */
  morph: boolean;
  /** Share of pixels whose forward and backward flows agree within 1 flow pixel. */
  consistency: number;
  /** Mean difference after warping, as a share of the mean difference before. */
  residual: number;
  /** The global shift found first, in base pixels. */
  shift: { dx: number; dy: number };
  field: MorphField;
}

// Calibrated on the test pairs (same scene moved/zoomed: consistency > 0.9, residual < 0.4;
// unrelated pictures: consistency < 0.5, residual > 0.8).
const MIN_CONSISTENCY = 0.7;
const MAX_RESIDUAL = 0.6;
/** Flow is measured on a picture about this many pixels on its long side. */
const ANALYSIS_SIDE = 320;

/** BT.709 luma of rgb24, area-averaged down by an integer factor. */
function grayDown(rgb: RgbImage, cell: number): Gray {
  const w = Math.max(1, Math.floor(rgb.width / cell));
  const h = Math.max(1, Math.floor(rgb.height / cell));
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < cell; j++) {
        let o = ((y * cell + j) * rgb.width + x * cell) * 3;
        for (let i = 0; i < cell; i++, o += 3) s += 0.2126 * rgb.data[o]! + 0.7152 * rgb.data[o + 1]! + 0.0722 * rgb.data[o + 2]!;
      }
      out[y * w + x] = s / (cell * cell);
    }
  }
  return { data: out, width: w, height: h };
}

function globalShift(a: Gray, b: Gray): { dx: number; dy: number } {
  let n = 1;
  while (n * 2 <= Math.min(a.width, a.height)) n *= 2;
  const x0 = (a.width - n) >> 1;
  const y0 = (a.height - n) >> 1;
  const s = phaseCorrelate(patch(a.data, a.width, a.height, x0, y0, n), patch(b.data, b.width, b.height, x0, y0, n), n);
  return s.peak > 0.05 ? { dx: s.dx, dy: s.dy } : { dx: 0, dy: 0 };
}

/**
 * Measures how the end keyframe relates to the start keyframe (both base images, same size).
 *
 * @example
 * const c = analyseKeyframes(start.rgbBase, end.rgbBase); // c.morph: morph or dissolve
 */
export function analyseKeyframes(a: RgbImage, b: RgbImage): Correspondence {
  const cell = Math.max(1, Math.ceil(Math.max(a.width, a.height) / ANALYSIS_SIDE));
  const ga = grayDown(a, cell);
  const gb = grayDown(b, cell);
  const shift = globalShift(ga, gb);
  const forward = denseFlow(ga, gb, { initial: shift });
  const backward = denseFlow(gb, ga, { initial: { dx: -shift.dx, dy: -shift.dy } });
  const { width: w, height: h } = ga;
  let consistent = 0;
  let before = 0;
  let after = 0;
  // Ignore a margin: content moving in from outside the frame has no match by nature.
  const m = Math.round(Math.min(w, h) * 0.06);
  let counted = 0;
  for (let y = m; y < h - m; y++) {
    for (let x = m; x < w - m; x++) {
      const i = y * w + x;
      const u = forward.data[2 * i]!, v = forward.data[2 * i + 1]!;
      const bx = Math.round(x + u), by = Math.round(y + v);
      if (bx < 0 || by < 0 || bx >= w || by >= h) continue;
      counted++;
      const j = by * w + bx;
      if (Math.hypot(u + backward.data[2 * j]!, v + backward.data[2 * j + 1]!) < 1) consistent++;
      before += Math.abs(ga.data[i]! - gb.data[i]!);
      after += Math.abs(ga.data[i]! - gb.data[j]!);
    }
  }
  const consistency = counted ? consistent / counted : 0;
  const residual = before > 0 ? after / before : 0;
  return {
    morph: consistency >= MIN_CONSISTENCY && residual <= MAX_RESIDUAL,
    consistency,
    residual,
    shift: { dx: shift.dx * cell, dy: shift.dy * cell },
    field: { forward, backward, cell },
  };
}

/**
 * Renders one morph frame: at progress s the start image is warped s of the way along the flow
 * and the end image (1 - s) of the way back, then they are mixed with weight `mix`. The
 * intermediate flows are Super SloMo's linear estimates from the two measured flows, so s = 0 is
 * exactly the start image and s = 1 exactly the end image. `camera` frames the result.
 */
export function morphLayers(a: YuvImage, b: YuvImage, field: MorphField, s: number, mix: number, camera: Warp, out: Uint8Array): void {
  const planes = framePlanes(out, camera.width, camera.height);
  const k00 = -(1 - s) * s, k01 = s * s; // start side: F(s→0) = k00·F01 + k01·F10
  const k10 = (1 - s) * (1 - s), k11 = -s * (1 - s); // end side: F(s→1) = k10·F01 + k11·F10
  const { forward: f, backward: g, cell } = field;
  const fw = f.width, fh = f.height;
  const wa = 1 - mix, wb = mix;
  const srcA: Plane[] = [a.y, a.u, a.v];
  const srcB: Plane[] = [b.y, b.u, b.v];
  const h = camera.h;
  for (let p = 0; p < 3; p++) {
    const dst = planes[p]!;
    const chroma = p > 0;
    const pa = srcA[p]!, pb = srcB[p]!;
    const cols = new Float64Array(dst.width);
    for (let i = 0; i < dst.width; i++) cols[i] = camera.fx(chroma ? 2 * i + 0.5 : i + 0.5);
    for (let j = 0; j < dst.height; j++) {
      const rowB = camera.fy(chroma ? 2 * j + 1 : j + 0.5);
      for (let i = 0; i < dst.width; i++) {
        let qx = cols[i]!, qy = rowB;
        if (h) {
          const d = h[6]! * qx + h[7]! * qy + h[8]!;
          const nx = (h[0]! * qx + h[1]! * qy + h[2]!) / d;
          qy = (h[3]! * qx + h[4]! * qy + h[5]!) / d;
          qx = nx;
        }
        // Flows at q (bilinear on the coarse grid), in base pixels.
        let fx = qx / cell - 0.5, fy = qy / cell - 0.5;
        fx = fx < 0 ? 0 : fx > fw - 1 ? fw - 1 : fx;
        fy = fy < 0 ? 0 : fy > fh - 1 ? fh - 1 : fy;
        const ix = Math.min(fw - 2, fx | 0), iy = Math.min(fh - 2, fy | 0);
        const ax = fx - ix, ay = fy - iy;
        const w00 = (1 - ax) * (1 - ay), w10 = ax * (1 - ay), w01 = (1 - ax) * ay, w11 = ax * ay;
        const o = 2 * (iy * fw + ix), o2 = o + 2 * fw;
        const fu = (f.data[o]! * w00 + f.data[o + 2]! * w10 + f.data[o2]! * w01 + f.data[o2 + 2]! * w11) * cell;
        const fv = (f.data[o + 1]! * w00 + f.data[o + 3]! * w10 + f.data[o2 + 1]! * w01 + f.data[o2 + 3]! * w11) * cell;
        const gu = (g.data[o]! * w00 + g.data[o + 2]! * w10 + g.data[o2]! * w01 + g.data[o2 + 2]! * w11) * cell;
        const gv = (g.data[o + 1]! * w00 + g.data[o + 3]! * w10 + g.data[o2 + 1]! * w01 + g.data[o2 + 3]! * w11) * cell;
        let v = 0;
        if (wa > 0) v += wa * planeAt(pa, qx + k00 * fu + k01 * gu, qy + k00 * fv + k01 * gv, chroma);
        if (wb > 0) v += wb * planeAt(pb, qx + k10 * fu + k11 * gu, qy + k10 * fv + k11 * gv, chroma);
        dst.data[j * dst.width + i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
      }
    }
  }
}

/** Bilinear sample of a plane at base edge coordinates (luma or left-sited chroma). */
function planeAt(src: Plane, X: number, Y: number, chroma: boolean): number {
  let x = chroma ? (X - 0.5) / 2 : X - 0.5;
  let y = chroma ? (Y - 1) / 2 : Y - 0.5;
  const { data, width, height } = src;
  const maxX = width - 1, maxY = height - 1;
  x = x < 0 ? 0 : x > maxX ? maxX : x;
  y = y < 0 ? 0 : y > maxY ? maxY : y;
  const ix = x | 0, iy = y | 0;
  const ax = x - ix, ay = y - iy;
  const ix1 = ix < maxX ? ix + 1 : ix;
  const r0 = iy * width, r1 = (iy < maxY ? iy + 1 : iy) * width;
  const top = data[r0 + ix]! + (data[r0 + ix1]! - data[r0 + ix]!) * ax;
  const bottom = data[r1 + ix]! + (data[r1 + ix1]! - data[r1 + ix]!) * ax;
  return top + (bottom - top) * ay;
}
