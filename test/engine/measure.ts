// Measuring motion in frames, for tests and the bench: points tracked frame to frame by phase
// correlation of patches around them, then fitted (zoom, rotation, keystone, radial scale), and
// the smoothness metric of a monotone move. Also: decoding all frames of a video, and a textured
// test image (phase correlation needs detail everywhere).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { patch, phaseCorrelate } from '../../src/engine/phase.ts';
import { testImageSvg } from '../support/media.ts';

const run = promisify(execFile);

/** Writes a photo-like image: the shapes of the test image over fractal noise (detail at every scale). */
export async function makeTexturedImage(path: string, width: number, height: number, seed = 1): Promise<void> {
  const noise = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><filter id="n">` +
    `<feTurbulence type="fractalNoise" baseFrequency="${(12 / Math.max(width, height)).toFixed(5)}" numOctaves="7" seed="${seed}"/>` +
    `<feColorMatrix type="saturate" values="0.5"/></filter><rect width="100%" height="100%" filter="url(#n)"/></svg>`;
  const texture = await sharp(Buffer.from(noise)).png().toBuffer();
  await sharp(Buffer.from(testImageSvg(width, height, seed))).composite([{ input: texture, blend: 'hard-light' }]).flatten().png().toFile(path);
}

/** Every frame's Y plane (width*height bytes each), decoded in one ffmpeg run. */
export async function decodeLuma(path: string, width: number, height: number): Promise<Uint8Array[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
    encoding: 'buffer', maxBuffer: 1 << 30,
  });
  const n = width * height;
  return Array.from({ length: Math.floor(stdout.length / n) }, (_, i) => new Uint8Array(stdout.buffer, stdout.byteOffset + i * n, n));
}

/** Mean absolute difference of two planes. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A point followed through the frames: where it started, each frame's step, where it ended. */
export interface Track {
  fx: number;
  fy: number;
  x0: number;
  y0: number;
  x: number;
  y: number;
  steps: [number, number][];
  /** Position in every frame tracked so far (path[0] is the start). */
  path: [number, number][];
  lost: boolean;
}

/**
 * Follows points (given as fractions of the frame) from the first frame to the last: each step
 * is the phase correlation of an n×n patch around the point in consecutive frames.
 */
export function track(frames: readonly Uint8Array[], width: number, height: number, points: readonly [number, number][], n = 64): Track[] {
  return points.map(([fx, fy]) => {
    const t: Track = { fx, fy, x0: fx * width, y0: fy * height, x: fx * width, y: fy * height, steps: [], path: [[fx * width, fy * height]], lost: false };
    for (let k = 1; k < frames.length && !t.lost; k++) {
      const px = Math.round(t.x) - n / 2;
      const py = Math.round(t.y) - n / 2;
      if (px < 0 || py < 0 || px + n > width || py + n > height) {
        t.lost = true;
        break;
      }
      const s = phaseCorrelate(patch(frames[k - 1]!, width, height, px, py, n), patch(frames[k]!, width, height, px, py, n), n);
      const [dx, dy] = refineShift(frames[k - 1]!, frames[k]!, width, height, px, py, n, t.x, t.y, s.dx, s.dy);
      t.steps.push([dx, dy]);
      t.x += dx;
      t.y += dy;
      t.path.push([t.x, t.y]);
    }
    return t;
  });
}

function bilinearAt(f: Uint8Array, width: number, height: number, x: number, y: number): number {
  x = Math.min(width - 1.001, Math.max(0, x));
  y = Math.min(height - 1.001, Math.max(0, y));
  const ix = Math.floor(x), iy = Math.floor(y), ax = x - ix, ay = y - iy, i = iy * width + ix;
  return (f[i]! * (1 - ax) + f[i + 1]! * ax) * (1 - ay) + (f[i + width]! * (1 - ax) + f[i + width + 1]! * ax) * ay;
}

/** Solves the 4×4 system m·x = v (row-major m) by Gaussian elimination; null if singular. */
function solve4(m: number[], v: number[]): number[] | null {
  const a = m.map((x) => x);
  const b = v.map((x) => x);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r * 4 + c]!) > Math.abs(a[p * 4 + c]!)) p = r;
    if (Math.abs(a[p * 4 + c]!) < 1e-12) return null;
    for (let k = 0; k < 4; k++) [a[c * 4 + k], a[p * 4 + k]] = [a[p * 4 + k]!, a[c * 4 + k]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r * 4 + c]! / a[c * 4 + c]!;
      for (let k = 0; k < 4; k++) a[r * 4 + k] = a[r * 4 + k]! - f * a[c * 4 + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  return b.map((x, i) => x / a[i * 4 + i]!);
}

/**
 * Sub-pixel refinement by Lucas–Kanade with a local similarity model (shift, scale, rotation about
 * the tracked point), Gauss–Newton on the Hann-weighted patch. Phase correlation's parabolic peak
 * is biased towards whole pixels, and a translation-only fit on a zooming patch is pulled towards
 * wherever its texture is strongest; both add up when chained over many frames. Returns the shift
 * at (cx, cy).
 */
function refineShift(a: Uint8Array, b: Uint8Array, width: number, height: number, px: number, py: number, n: number, cx: number, cy: number, dx: number, dy: number): [number, number] {
  let s = 0, r = 0;
  for (let it = 0; it < 3; it++) {
    const m = new Array<number>(16).fill(0);
    const v = [0, 0, 0, 0];
    // Every other pixel: a quarter of the work, the same answer to a few thousandths of a pixel.
    for (let j = 1; j < n - 1; j += 2) {
      for (let i = 1; i < n - 1; i += 2) {
        const w = Math.sin((Math.PI * (i + 0.5)) / n) ** 2 * Math.sin((Math.PI * (j + 0.5)) / n) ** 2;
        const x = px + i, y = py + j;
        const X = x - cx, Y = y - cy;
        const ux = x + dx + s * X - r * Y, uy = y + dy + s * Y + r * X;
        const gx = (bilinearAt(b, width, height, ux + 1, uy) - bilinearAt(b, width, height, ux - 1, uy)) / 2;
        const gy = (bilinearAt(b, width, height, ux, uy + 1) - bilinearAt(b, width, height, ux, uy - 1)) / 2;
        const res = a[y * width + x]! - bilinearAt(b, width, height, ux, uy);
        const J = [gx, gy, gx * X + gy * Y, gy * X - gx * Y];
        for (let p = 0; p < 4; p++) {
          v[p] = v[p]! + w * J[p]! * res;
          for (let q = 0; q < 4; q++) m[p * 4 + q] = m[p * 4 + q]! + w * J[p]! * J[q]!;
        }
      }
    }
    const d = solve4(m, v);
    if (!d) break;
    dx += d[0]!;
    dy += d[1]!;
    s += d[2]!;
    r += d[3]!;
    if (Math.hypot(d[0]!, d[1]!) < 1e-3) break;
  }
  return [dx, dy];
}

export const GRID: [number, number][] = [];
for (const fy of [0.2, 0.35, 0.5, 0.65, 0.8]) for (const fx of [0.2, 0.35, 0.5, 0.65, 0.8]) GRID.push([fx, fy]);
GRID.push([0.42, 0.5], [0.58, 0.5], [0.5, 0.42], [0.5, 0.58]);

/** What the frames did, from first to last, fitted on the tracked points. */
export interface Motion {
  /** Translation of the centre point (positive = content moved right / down). */
  dx: number;
  dy: number;
  /** Similarity fit: scale and rotation (radians, positive = clockwise on screen). */
  zoom: number;
  rotation: number;
  /** Horizontal scale of the top row over the bottom row (< 1: the top shrank relative to the bottom). */
  topOverBottom: number;
  /** Vertical scale of the left column over the right column. */
  leftOverRight: number;
  /** Horizontal scale over the whole width divided by that over the vertical extent. */
  xOverY: number;
  /** Scale measured near the centre, and near the edges. */
  innerZoom: number;
  outerZoom: number;
  tracked: number;
}

const at = (tracks: Track[], fx: number, fy: number): Track | undefined => tracks.find((t) => t.fx === fx && t.fy === fy && !t.lost);

function spanScale(a: Track | undefined, b: Track | undefined, axis: 'x' | 'y'): number {
  if (!a || !b) return NaN;
  return axis === 'x' ? (b.x - a.x) / (b.x0 - a.x0) : (b.y - a.y) / (b.y0 - a.y0);
}

/** The first of the candidates that could be measured (outer points leave the frame on big moves). */
const firstOf = (...values: number[]): number => values.find((v) => Number.isFinite(v)) ?? NaN;

/** The tracks as if they had started at frame `from` (points lost before then are dropped). */
export function from(tracks: Track[], frame: number): Track[] {
  return tracks.filter((t) => t.path.length > frame).map((t) => {
    const [x0, y0] = t.path[frame]!;
    return { ...t, x0, y0, steps: t.steps.slice(frame), path: t.path.slice(frame) };
  });
}

export function fitMotion(tracks: Track[]): Motion {
  const ok = tracks.filter((t) => !t.lost);
  const mx0 = ok.reduce((s, t) => s + t.x0, 0) / ok.length, my0 = ok.reduce((s, t) => s + t.y0, 0) / ok.length;
  const mx = ok.reduce((s, t) => s + t.x, 0) / ok.length, my = ok.reduce((s, t) => s + t.y, 0) / ok.length;
  // q = a·p with complex a (y down, so arg(a) > 0 is clockwise on screen).
  let re = 0, im = 0, nn = 0;
  for (const t of ok) {
    const px = t.x0 - mx0, py = t.y0 - my0, qx = t.x - mx, qy = t.y - my;
    re += qx * px + qy * py;
    im += qy * px - qx * py;
    nn += px * px + py * py;
  }
  const c = at(tracks, 0.5, 0.5);
  const ring = (r: number): number => (spanScale(at(tracks, 0.5 - r, 0.5), at(tracks, 0.5 + r, 0.5), 'x') + spanScale(at(tracks, 0.5, 0.5 - r), at(tracks, 0.5, 0.5 + r), 'y')) / 2;
  const rows = (a: number, b: number): number => spanScale(at(tracks, a, a), at(tracks, b, a), 'x') / spanScale(at(tracks, a, b), at(tracks, b, b), 'x');
  const cols = (a: number, b: number): number => spanScale(at(tracks, a, a), at(tracks, a, b), 'y') / spanScale(at(tracks, b, a), at(tracks, b, b), 'y');
  const xy = (a: number, b: number): number => spanScale(at(tracks, a, 0.5), at(tracks, b, 0.5), 'x') / spanScale(at(tracks, 0.5, a), at(tracks, 0.5, b), 'y');
  return {
    dx: c ? c.x - c.x0 : NaN,
    dy: c ? c.y - c.y0 : NaN,
    zoom: Math.hypot(re, im) / nn,
    rotation: Math.atan2(im, re),
    topOverBottom: firstOf(rows(0.2, 0.8), rows(0.35, 0.65)),
    leftOverRight: firstOf(cols(0.2, 0.8), cols(0.35, 0.65)),
    xOverY: firstOf(xy(0.2, 0.8), xy(0.35, 0.65)),
    innerZoom: ring(0.08),
    outerZoom: firstOf(ring(0.3), ring(0.15)),
    tracked: ok.length,
  };
}

/** Sign changes of a sequence, ignoring steps smaller than `eps`. */
export function reversals(values: readonly number[], eps: number): number {
  let count = 0;
  let last = 0;
  for (const v of values) {
    if (Math.abs(v) < eps) continue;
    const s = Math.sign(v);
    if (last && s !== last) count++;
    last = s;
  }
  return count;
}

/**
 * Smoothness of a monotone move, per tracked point: project each frame's step on the point's net
 * direction of travel, giving its speed m_i (px/frame). Then
 * - backSteps: frames where the point stepped backwards by more than 0.25 px (the tracker's noise
 *   on a textured picture is about ±0.15 px per step);
 * - jerk: RMS of the second differences m_{i+1} - 2m_i + m_{i-1} over the mean |m|.
 * A smooth eased move has backSteps = 0 and a small jerk (its speed changes slowly); a path
 * rounded to whole pixels steps 0, 1, 0, 1… and back, which shows in both. Reported for the worst
 * point and as the median over points (a patch of periodic texture can fool the tracker).
 */
export function smoothness(tracks: Track[]): { backSteps: number; jerk: number; medianBackSteps: number; medianJerk: number } {
  let backSteps = 0;
  let jerk = 0;
  const perPoint: { back: number; jerk: number }[] = [];
  for (const t of tracks) {
    if (t.lost || t.steps.length < 4) continue;
    const nx = t.x - t.x0, ny = t.y - t.y0;
    const len = Math.hypot(nx, ny);
    if (len < 1) continue;
    const m = t.steps.map(([dx, dy]) => (dx * nx + dy * ny) / len);
    const back = m.filter((v) => v < -0.25).length;
    let sum = 0;
    for (let i = 1; i < m.length - 1; i++) sum += (m[i + 1]! - 2 * m[i]! + m[i - 1]!) ** 2;
    const rms = Math.sqrt(sum / (m.length - 2));
    const mean = m.reduce((s, v) => s + Math.abs(v), 0) / m.length;
    backSteps = Math.max(backSteps, back);
    jerk = Math.max(jerk, rms / mean);
    perPoint.push({ back, jerk: rms / mean });
  }
  return { backSteps, jerk, medianBackSteps: median(perPoint.map((p) => p.back)), medianJerk: median(perPoint.map((p) => p.jerk)) };
}
