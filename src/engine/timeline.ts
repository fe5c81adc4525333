// What each frame shows: which images, through which camera pose, mixed how. Pure and independent
// of pixels, so the choreography can be tested (and extended) without rendering anything.
import { outAndBack, smootherstep, thereAndBack } from './camera.ts';
import { arrival, departure } from './moves.ts';
import { STILL } from './pose.ts';
import type { Pose } from './pose.ts';
import type { CameraWord } from './vocabulary.ts';

export type ImageRole = 'start' | 'end';

export interface Layer {
  image: ImageRole;
  pose: (t: number) => Pose;
}

/**
 * A two-layer composition. `a` is always drawn; `b` (if any) is mixed over it with weight
 * mix(t) ∈ [0, 1], exactly 0 or 1 wherever a frame must equal one image. When `morph` is set the
 * two layers share one pose and are warped towards each other along the measured flow: morph(t)
 * is how far the content has travelled from the start image (0) to the end image (1).
 */
export interface Timeline {
  a: Layer;
  b?: Layer;
  mix: (t: number) => number;
  morph?: (t: number) => number;
  /** Whether each layer's pose ever needs the per-pixel (non-separable) sampler. */
  words: readonly CameraWord[];
}

/** Normalised time of frame i. Open-ended for loops: frame `frames` would be frame 0 again. */
export function frameTime(i: number, frames: number, loop: boolean): number {
  if (loop) return i / frames;
  return frames > 1 ? i / (frames - 1) : 0;
}

// A dissolve that fills the middle half of the move: the two images are never a long, muddy
// double exposure, and each end has a stretch of clean picture while its camera is nearly still.
const dissolve = (t: number): number => smootherstep((t - 0.25) / 0.5);
const none = (): number => 0;

export interface TimelineInput {
  start: boolean;
  end: boolean;
  loop: boolean;
  /** Camera words from the prompt; empty for the default gentle move. */
  words?: readonly CameraWord[];
  /** With both images: they correspond, so travel along the flow instead of dissolving. */
  morph?: boolean;
}

/** Chooses the choreography for the given inputs (see the cases below). */
export function buildTimeline({ start, end, loop, words = [], morph = false }: TimelineInput): Timeline {
  if (!start && !end) throw new Error('a timeline needs a start image, an end image, or both');
  const leave = departure(words);
  if (start && end && morph) {
    // One camera over the morph, out and back so it is on the picture at both keyframes; half
    // the move's travel, since it has to come back.
    const camera = loop
      ? (t: number): Pose => leave(0.5 * outAndBack(2 * t))
      : (t: number): Pose => leave(0.5 * outAndBack(t));
    return {
      a: { image: 'start', pose: camera },
      b: { image: 'end', pose: camera },
      mix: loop ? (t) => smootherstep(thereAndBack(t)) : smootherstep,
      morph: loop ? (t) => smootherstep(thereAndBack(t)) : smootherstep,
      words,
    };
  }
  if (start && end) {
    if (loop) {
      // The start image moves out and back over the period; the end image, half a period
      // ahead, is on its picture exactly at the midpoint where the dissolve has fully crossed.
      return {
        a: { image: 'start', pose: (t) => leave(outAndBack(t)) },
        b: { image: 'end', pose: (t) => leave(outAndBack(t + 0.5)) },
        mix: (t) => dissolve(thereAndBack(t)),
        words,
      };
    }
    // Motion-aware dissolve: the start image leaves with the move while the end image arrives
    // with the same move, so the eye follows one motion through the crossing.
    return { a: { image: 'start', pose: leave }, b: { image: 'end', pose: arrival(words) }, mix: dissolve, words };
  }
  const image: ImageRole = start ? 'start' : 'end';
  if (loop) return { a: { image, pose: (t) => leave(outAndBack(t)) }, mix: none, words };
  return { a: { image, pose: start ? leave : arrival(words) }, mix: none, words };
}

/** The still pose, for callers that need a layer that does not move. */
export const still = (): Pose => ({ ...STILL });
