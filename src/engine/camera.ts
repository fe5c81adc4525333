// Camera moves as pure functions of normalised time. A move is described as a Shot (zoom and a
// pan inside the slack that zoom leaves); `cameraPath` turns any shot function into crop
// rectangles, so a new move is one small function and can never leave the source.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Maps t∈[0,1] to [0,1]; all easings here have f(0)=0, f(1)=1 and zero slope at both ends. */
export type Easing = (t: number) => number;

const clamp01 = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t);

export const linear: Easing = (t) => clamp01(t);
export const smoothstep: Easing = (t) => {
  const u = clamp01(t);
  return u * u * (3 - 2 * u);
};
/** Zero first and second derivative at both ends: no visible jerk when a move starts or lands. */
export const smootherstep: Easing = (t) => {
  const u = clamp01(t);
  return u * u * u * (u * (u * 6 - 15) + 10);
};
export const easeInOutSine: Easing = (t) => (1 - Math.cos(Math.PI * clamp01(t))) / 2;

/**
 * Where the camera looks. zoom ≥ 1 (1 = the whole source); panX/panY ∈ [-1, 1] place the crop
 * within the slack left by the zoom (-1 = left/top edge, 0 = centred, 1 = right/bottom edge).
 */
export interface Shot {
  zoom: number;
  panX: number;
  panY: number;
}

export type ShotPath = (t: number) => Shot;

/** A camera path: t∈[0,1] → crop rectangle in source pixels, inside the source, at `aspect`. */
export type CameraPath = (t: number, source: Size, aspect?: number) => Rect;

/** Zoom reached by the stock moves; 1.13 reads as a deliberate push without losing the subject. */
export const DEFAULT_MAX_ZOOM = 1.13;

/**
 * The crop rectangle for a shot. At zoom 1 it is the largest centred rectangle of `aspect`
 * (defaults to the source's own, since sources arrive already cover-fitted to the output).
 */
export function shotRect(shot: Shot, source: Size, aspect = source.width / source.height): Rect {
  if (!(shot.zoom >= 1)) throw new RangeError(`zoom must be >= 1, got ${shot.zoom}`);
  const fullW = Math.min(source.width, source.height * aspect);
  const fullH = fullW / aspect;
  const w = fullW / shot.zoom;
  const h = fullH / shot.zoom;
  const px = Math.max(-1, Math.min(1, shot.panX));
  const py = Math.max(-1, Math.min(1, shot.panY));
  return { x: ((source.width - w) * (px + 1)) / 2, y: ((source.height - h) * (py + 1)) / 2, w, h };
}

/** Lifts a shot function into a camera path. */
export function cameraPath(path: ShotPath): CameraPath {
  return (t, source, aspect) => shotRect(path(t), source, aspect);
}

// Zoom is interpolated geometrically (maxZoom ** e): equal steps of e look like equal speed,
// whereas a linear zoom visibly slows down as it tightens.
const zoomAt = (maxZoom: number, e: number): number => maxZoom ** e;

/** Centred push-in from zoom 1 to maxZoom, eased at both ends. */
export function pushIn(maxZoom = DEFAULT_MAX_ZOOM, ease: Easing = smootherstep): CameraPath {
  return cameraPath((t) => ({ zoom: zoomAt(maxZoom, ease(t)), panX: 0, panY: 0 }));
}

/** Centred pull-out from maxZoom landing exactly on zoom 1 (the full frame) at t=1. */
export function pullOut(maxZoom = DEFAULT_MAX_ZOOM, ease: Easing = smootherstep): CameraPath {
  return cameraPath((t) => ({ zoom: zoomAt(maxZoom, 1 - ease(t)), panX: 0, panY: 0 }));
}

/**
 * Periodic push-in and back ("breathing"): zoom 1 at t=0 and t=1, maxZoom at t=0.5. The cosine
 * makes it smooth across the wrap, so a looping video has no seam. `phase` shifts it (0.5 starts
 * at maxZoom), which is how the second image of a loop is framed.
 */
export function breathe(maxZoom = DEFAULT_MAX_ZOOM, phase = 0): CameraPath {
  return cameraPath((t) => ({
    zoom: zoomAt(maxZoom, (1 - Math.cos(2 * Math.PI * (t + phase))) / 2),
    panX: 0,
    panY: 0,
  }));
}

/** True when a rectangle is the whole source (then the pre-fitted reference can be used as is). */
export function isFullFrame(rect: Rect, source: Size): boolean {
  const eps = 1e-6;
  return (
    Math.abs(rect.x) < eps &&
    Math.abs(rect.y) < eps &&
    Math.abs(rect.w - source.width) < eps &&
    Math.abs(rect.h - source.height) < eps
  );
}
