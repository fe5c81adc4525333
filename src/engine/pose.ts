// Where the camera is, as a warp from output pixels to source pixels. A Pose is a handful of
// camera parameters; `poseWarp` turns it into a map that always stays inside the source (it zooms
// just enough for rotation and perspective, then places the view within the slack that leaves), so
// no pose can show a border. Coordinates are "edge" coordinates in the base image (the source
// cover-fitted at output size): pixel k spans [k, k+1), its centre is k + 0.5.

/**
 * Camera parameters. STILL is the source itself. Angles are radians.
 * - zoom ≥ 1 narrows the view (on top of what rotation and perspective need to stay inside).
 * - panX, panY ∈ [-1, 1] place the view within the slack (-1 left/top edge, 1 right/bottom edge).
 *   A constant pan with a growing zoom is a zoom anchored at that point.
 * - roll > 0 turns the picture clockwise on screen (the camera rolls anticlockwise, "left").
 * - yaw > 0 turns the camera right: the right of the picture recedes (keystone).
 * - pitch > 0 tilts the camera up: the top of the picture recedes.
 * - stretch ≥ 1 zooms horizontally only (the frame parts from the middle, like doors).
 * - bend > 0 makes the centre recede while the frame's edges stay (a pull-back on a flat picture);
 *   bend < 0 bulges the centre towards the viewer. Separable, so lines along the axes stay straight.
 * - loom > 0 magnifies the edges while the centre keeps its scale (the dolly-zoom look).
 */
export interface Pose {
  zoom: number;
  panX: number;
  panY: number;
  roll: number;
  yaw: number;
  pitch: number;
  stretch: number;
  bend: number;
  loom: number;
}

export const STILL: Readonly<Pose> = Object.freeze({ zoom: 1, panX: 0, panY: 0, roll: 0, yaw: 0, pitch: 0, stretch: 1, bend: 0, loom: 0 });

/** True when the pose shows the source exactly (the frame is then a copy, not a resample). */
export function isStill(p: Pose): boolean {
  return p.zoom === 1 && p.roll === 0 && p.yaw === 0 && p.pitch === 0 && p.stretch === 1 && p.bend === 0 && p.loom === 0;
}

// The virtual lens for perspective moves: 60° across the long side, a normal-to-wide lens, so a
// few degrees of yaw or pitch give a visible but believable keystone.
const FOCAL = 1 / Math.tan(Math.PI / 6);

/** The radial-ish profile of bend and loom on u ∈ [-1, 1]: g(±1) = ±(1 - loom), g'(0) = 1 + bend. */
function profile(u: number, bend: number, loom: number): number {
  return u * (1 + bend - (bend + loom) * u * u);
}

/**
 * Output pixel → base-image position. `fx`/`fy` are the separable part; when `h` is set, the
 * point (fx(x), fy(y)) is then mapped by that homography (row-major 3×3) to base coordinates.
 */
export interface Warp {
  width: number;
  height: number;
  fx: (xe: number) => number;
  fy: (ye: number) => number;
  h: Float64Array | null;
  still: boolean;
}

/** Applies a warp to one output point (edge coordinates). */
export function warpPoint(w: Warp, xe: number, ye: number): [number, number] {
  const a = w.fx(xe);
  const b = w.fy(ye);
  const h = w.h;
  if (!h) return [a, b];
  const d = h[6]! * a + h[7]! * b + h[8]!;
  return [(h[0]! * a + h[1]! * b + h[2]!) / d, (h[3]! * a + h[4]! * b + h[5]!) / d];
}

type Mat3 = [number, number, number, number, number, number, number, number, number];

function mul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9) as Mat3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  }
  return r;
}

/** The perspective and roll part, for a centred point (a, b) in base pixels, as a homography. */
function projective(p: Pose, focal: number): Mat3 {
  const cy = Math.cos(p.yaw), sy = Math.sin(p.yaw);
  const cp = Math.cos(p.pitch), sp = Math.sin(p.pitch);
  // Ray (a, b, focal) turned by yaw (about the vertical axis) then pitch (about the horizontal);
  // image y points down, so looking up turns +z towards -y.
  const yawM: Mat3 = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const pitchM: Mat3 = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const toRay: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, focal];
  const toPlane: Mat3 = [focal, 0, 0, 0, focal, 0, 0, 0, 1];
  // Picture turning clockwise on screen = sampling the source anticlockwise (y down).
  const cr = Math.cos(p.roll), sr = Math.sin(p.roll);
  const rollM: Mat3 = [cr, sr, 0, -sr, cr, 0, 0, 0, 1];
  return mul(rollM, mul(toPlane, mul(pitchM, mul(yawM, toRay))));
}

function apply(m: Mat3, a: number, b: number): [number, number] {
  const d = m[6] * a + m[7] * b + m[8];
  return [(m[0] * a + m[1] * b + m[2]) / d, (m[3] * a + m[4] * b + m[5]) / d];
}

/**
 * The warp for a pose on a base image of width×height (the output size). Every output pixel maps
 * inside [0, width]×[0, height].
 *
 * @example
 * const w = poseWarp({ ...STILL, zoom: 1.1 }, 960, 540);
 * warpPoint(w, 480, 270); // [480, 270]: a centred zoom keeps the centre
 */
export function poseWarp(pose: Pose, width: number, height: number): Warp {
  const hw = width / 2;
  const hh = height / 2;
  const stretch = Math.max(1, pose.stretch);
  const { bend, loom } = pose;
  const ax = hw / stretch;
  const gx = (xe: number): number => ax * profile((xe - hw) / hw, bend, loom);
  const gy = (ye: number): number => hh * profile((ye - hh) / hh, bend, loom);
  const flat = pose.roll === 0 && pose.yaw === 0 && pose.pitch === 0;
  const m = flat ? null : projective(pose, FOCAL * Math.max(hw, hh));
  // The view's extent before fitting: the profile keeps edges on edges, and a homography keeps a
  // rectangle's edges straight, so the four corners bound it.
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const [xe, ye] of [[0, 0], [width, 0], [0, height], [width, height]] as const) {
    const [x, y] = m ? apply(m, gx(xe), gy(ye)) : [gx(xe), gy(ye)];
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  // Always scale by what rotation/perspective need (not by max(1, need) against the zoom already
  // there), so the effective zoom stays a smooth function of the pose.
  const fit = Math.max((maxX - minX) / width, (maxY - minY) / height);
  const k = 1 / (Math.max(1, pose.zoom) * fit);
  const place = (lo: number, hi: number, size: number, pan: number): number => {
    const from = -lo * k;
    const to = size - hi * k;
    return (from + to) / 2 + Math.max(-1, Math.min(1, pan)) * ((to - from) / 2);
  };
  const cx = place(minX, maxX, width, pose.panX);
  const cy = place(minY, maxY, height, pose.panY);
  if (!m) {
    return { width, height, fx: (xe) => cx + k * gx(xe), fy: (ye) => cy + k * gy(ye), h: null, still: isStill(pose) };
  }
  const h = mul([k, 0, cx, 0, k, cy, 0, 0, 1], m);
  return { width, height, fx: gx, fy: gy, h: Float64Array.from(h), still: false };
}

/**
 * Smallest and largest local magnification of a warp (output pixels per base pixel), sampled over
 * the frame. Used to choose the source level to sample from.
 */
export function magnification(w: Warp): { min: number; max: number } {
  let min = Infinity;
  let max = 0;
  const e = 0.5;
  for (let i = 0; i <= 4; i++) {
    for (let j = 0; j <= 4; j++) {
      const x = Math.min(w.width - e, Math.max(e, (w.width * i) / 4));
      const y = Math.min(w.height - e, Math.max(e, (w.height * j) / 4));
      const [x0, y0] = warpPoint(w, x - e, y);
      const [x1, y1] = warpPoint(w, x + e, y);
      const [x2, y2] = warpPoint(w, x, y - e);
      const [x3, y3] = warpPoint(w, x, y + e);
      const sx = Math.hypot(x1 - x0, y1 - y0) / (2 * e);
      const sy = Math.hypot(x3 - x2, y3 - y2) / (2 * e);
      min = Math.min(min, 1 / Math.max(sx, sy));
      max = Math.max(max, 1 / Math.min(sx, sy));
    }
  }
  return { min, max };
}
