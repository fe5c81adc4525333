// Where the scene's camera is, and when. A scene is layers at depths (0 = the sky at infinity,
// 1 = the nearest layer): the engine's camera words give a Pose per frame (moves.ts), which is read
// here as a camera in the scene, so sideways moves show parallax (near layers slide further than
// far ones) and a push-in looms the foreground, where on a flat picture they could only slide it.
// Coordinates: the screen is normalised by its height, (sx, sy) ∈ [-aspect/2, aspect/2] × [-½, ½],
// y down; the world has the horizon at v = HORIZON and u running along it.
import { outAndBack, smootherstep } from '../camera.ts';
import { combine, departure } from '../moves.ts';
import type { Move } from '../moves.ts';
import type { Pose } from '../pose.ts';
import { frameTime } from '../timeline.ts';
import type { CameraWord } from '../vocabulary.ts';

/** World v of the horizon: a little below the middle of the screen at rest. */
export const HORIZON = 0.12;

// How far a pose's pan (±1) carries the camera, in world units, and how far a radian of yaw or
// pitch turns the view. Chosen so a truck shows a clear parallax within the 5 s of a clip.
const TRAVEL_X = 0.12;
const TRAVEL_Y = 0.09;
const TURN = 1.2;

export interface View {
  zoom: number;
  stretch: number;
  /** Sideways travel (parallax applies) and sideways turn (it does not). */
  travelX: number;
  turnX: number;
  shiftY: number;
  roll: number;
  loom: number;
  bend: number;
  /** Screen y (normalised) of the horizon. */
  horizonY: number;
}

/** A layer's mapping from screen to world: u = sx / zx + ox, v = (sy − horizonY) / zy + HORIZON. */
export interface LayerMap {
  zx: number;
  zy: number;
  ox: number;
  horizonY: number;
}

/** Without camera words a scene drifts sideways and pushes in a little: parallax shows its depth. */
const SCENE_DEFAULT: Move = (t) => ({ zoom: 1.06 ** smootherstep(t), panX: 0.8 * smootherstep(t) });

/** The camera path of a scene: pose as a function of normalised time, out and back when looping. */
export function scenePath(words: readonly CameraWord[], loop: boolean): (t: number) => Pose {
  const leave = words.length ? departure(words) : combine([SCENE_DEFAULT]);
  return loop ? (t) => leave(outAndBack(t)) : leave;
}

export function viewOf(pose: Pose): View {
  const shiftY = pose.panY * TRAVEL_Y - pose.pitch * TURN;
  return {
    zoom: pose.zoom,
    stretch: Math.max(1, pose.stretch),
    travelX: pose.panX * TRAVEL_X,
    turnX: pose.yaw * TURN,
    shiftY,
    roll: pose.roll,
    loom: pose.loom,
    bend: pose.bend,
    horizonY: (HORIZON - shiftY) * pose.zoom,
  };
}

/** The mapping of the layer at `depth` ∈ [0, 1]. */
export function layerMap(view: View, depth: number): LayerMap {
  const z = (view.zoom * (1 + view.loom * 2.5 * depth)) / (1 + view.bend * (0.4 + 1.2 * depth));
  return { zx: z * view.stretch, zy: z, ox: view.travelX * (0.2 + 1.6 * depth) + view.turnX, horizonY: view.horizonY };
}

/** The time of one frame: normalised τ ∈ [0, 1) for periodic motion, and the video's length. */
export interface Clock {
  /** i / frames: frame `frames` would be frame 0 again, so every whole-cycle motion loops. */
  tau: number;
  /** Camera time: frameTime (reaches 1 on the last frame unless looping). */
  t: number;
  seconds: number;
  frames: number;
  loop: boolean;
}

export function clockAt(i: number, frames: number, fps: number, loop: boolean): Clock {
  return { tau: i / frames, t: frameTime(i, frames, loop), seconds: frames / fps, frames, loop };
}

/** Whole cycles over the video closest to `perSecond` (at least one): periodic, so loops are seamless. */
export function cycles(clock: Clock, perSecond: number): number {
  return Math.max(1, Math.round(perSecond * clock.seconds));
}

/** Which of `perSecond` × seconds equal steps τ is in, wrapping, so frame N is step 0 again. */
export function tickOf(clock: Clock, perSecond: number): number {
  const n = cycles(clock, perSecond);
  return Math.floor(clock.tau * n) % n;
}

/**
 * A slow drift of `perSecond` units: linear in a plain video; in a loop the same start velocity
 * on a sine that comes back, since a slow drift cannot cover a whole period in a few seconds.
 */
export function drift(clock: Clock, perSecond: number): number {
  const total = perSecond * clock.seconds;
  return clock.loop ? (total * Math.sin(2 * Math.PI * clock.tau)) / (2 * Math.PI) : total * clock.tau;
}
