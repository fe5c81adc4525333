// What each frame shows: which images, through which camera, mixed how. Pure and independent of
// pixels, so the choreography can be tested (and extended) without rendering anything.
import { breathe, DEFAULT_MAX_ZOOM, pullOut, pushIn, smootherstep } from './camera.ts';
import type { CameraPath } from './camera.ts';

export type ImageRole = 'start' | 'end';

export interface Layer {
  image: ImageRole;
  camera: CameraPath;
}

/**
 * A two-layer composition: `a` is always drawn, `b` (if any) is dissolved over it with weight
 * mix(t) ∈ [0, 1]. mix is exactly 0 or 1 wherever a frame must equal one image.
 */
export interface Timeline {
  a: Layer;
  b?: Layer;
  mix: (t: number) => number;
  /** Largest zoom any layer reaches, for pre-scaling the sources. */
  maxZoom: number;
}

/** Normalised time of frame i. Open-ended for loops: frame `frames` would be frame 0 again. */
export function frameTime(i: number, frames: number, loop: boolean): number {
  if (loop) return i / frames;
  return frames > 1 ? i / (frames - 1) : 0;
}

// A dissolve that fills the middle half of the move: the two images are never a long, muddy
// double exposure, and each end has a stretch of clean picture while its camera is nearly still.
const dissolve = (t: number): number => smootherstep((t - 0.25) / 0.5);

// Triangle wave: 0 at t=0 and t=1, 1 at t=0.5. Driving the dissolve with it makes a loop go
// start → end (landing at the midpoint) → start.
const thereAndBack = (t: number): number => 1 - Math.abs(2 * (t - Math.floor(t)) - 1);

export interface TimelineInput {
  start: boolean;
  end: boolean;
  loop: boolean;
  maxZoom?: number;
}

/** Chooses the choreography for the given inputs (see the cases below). */
export function buildTimeline({ start, end, loop, maxZoom = DEFAULT_MAX_ZOOM }: TimelineInput): Timeline {
  if (!start && !end) throw new Error('a timeline needs a start image, an end image, or both');
  const none = (): number => 0;
  if (start && end) {
    if (loop) {
      // The start image breathes in while the end image, framed half a period ahead, pulls out
      // to land at zoom 1 exactly at the midpoint; the second half mirrors it back.
      return {
        a: { image: 'start', camera: breathe(maxZoom) },
        b: { image: 'end', camera: breathe(maxZoom, 0.5) },
        mix: (t) => dissolve(thereAndBack(t)),
        maxZoom,
      };
    }
    // Push into the start while dissolving into the end image, which pulls out and lands on it.
    return {
      a: { image: 'start', camera: pushIn(maxZoom) },
      b: { image: 'end', camera: pullOut(maxZoom) },
      mix: dissolve,
      maxZoom,
    };
  }
  const image: ImageRole = start ? 'start' : 'end';
  if (loop) return { a: { image, camera: breathe(maxZoom) }, mix: none, maxZoom };
  // One image: push in from it, or (end image only) pull out to arrive on it.
  return { a: { image, camera: start ? pushIn(maxZoom) : pullOut(maxZoom) }, mix: none, maxZoom };
}
