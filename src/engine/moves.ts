// What each camera word does to a flat picture: a pose as a function of t ∈ [0, 1] that starts on
// the picture (STILL at t = 0) so the first frame is the image itself. A true 3D move needs depth
// we do not have; each move is the 2D/2.5D reading of it documented in docs/engine.md. Lateral
// moves need room to move in, so their zoom leads (it is mostly there by 40% of the move) while
// the travel runs over the whole move.
import { smootherstep } from './camera.ts';
import { STILL } from './pose.ts';
import type { Pose } from './pose.ts';
import type { CameraWord } from './vocabulary.ts';

export type PoseDelta = Partial<Pose>;
/** A move: t ∈ [0, 1] → what it adds to the pose; move(0) must be the identity. */
export type Move = (t: number) => PoseDelta;

const DEG = Math.PI / 180;
const ease = smootherstep;
/** Ease over [0, end] then hold: the "lead" profile of the zoom that makes room for travel. */
const lead = (t: number, end = 0.45): number => ease(t / end);
/** Geometric zoom: equal steps of e look like equal speed. */
const zoomTo = (z: number, e: number): number => z ** e;
/** Faster through the middle, for the bolt cam's whip. */
const whip = (t: number): number => ease(ease(t));

/** A sum of incommensurate sines: smooth, wandering, zero at t = 0, amplitude about ±1. */
function wander(t: number, seed: number): number {
  const a = Math.sin(2 * Math.PI * (1.3 * t + 0.11 * seed)) - Math.sin(2 * Math.PI * 0.11 * seed);
  const b = Math.sin(2 * Math.PI * (2.9 * t + 0.37 * seed)) - Math.sin(2 * Math.PI * 0.37 * seed);
  const c = Math.sin(2 * Math.PI * (5.3 * t + 0.73 * seed)) - Math.sin(2 * Math.PI * 0.73 * seed);
  return 0.55 * a + 0.3 * b + 0.15 * c;
}

/** A lateral or vertical move: zoom leads to `zoom`, the view travels to `pan` across the slack. */
const travel = (axis: 'panX' | 'panY', pan: number, zoom = 1.16, extra: (e: number) => PoseDelta = () => ({})): Move => (t) => ({
  zoom: zoomTo(zoom, lead(t)),
  [axis]: pan * ease(t),
  ...extra(ease(t)),
});

export const MOVES: Record<CameraWord, Move> = {
  // Camera translates sideways over a flat scene: the picture slides, no perspective change.
  truck_left: travel('panX', -1),
  truck_right: travel('panX', 1),
  // Camera turns: the picture slides and its far side recedes (yaw keystone).
  pan_left: travel('panX', -1, 1.16, (e) => ({ yaw: -6 * DEG * e })),
  pan_right: travel('panX', 1, 1.16, (e) => ({ yaw: 6 * DEG * e })),
  tilt_up: travel('panY', -1, 1.16, (e) => ({ pitch: 6 * DEG * e })),
  tilt_down: travel('panY', 1, 1.16, (e) => ({ pitch: -6 * DEG * e })),
  // Camera rises or sinks without turning.
  pedestal_up: travel('panY', -1),
  pedestal_down: travel('panY', 1),
  // A crane rises and looks down at what it rises over (and the reverse).
  crane_up: travel('panY', -1, 1.18, (e) => ({ pitch: -5 * DEG * e })),
  crane_down: travel('panY', 1, 1.18, (e) => ({ pitch: 5 * DEG * e })),
  roll_left: (t) => ({ roll: 8 * DEG * ease(t), zoom: zoomTo(1.02, ease(t)) }),
  roll_right: (t) => ({ roll: -8 * DEG * ease(t), zoom: zoomTo(1.02, ease(t)) }),
  // Circling the subject: the picture plane swings round (the side we move towards comes nearer)
  // while the view drifts the way the world appears to go.
  orbit_left: travel('panX', -0.6, 1.12, (e) => ({ yaw: 7 * DEG * e })),
  orbit_right: travel('panX', 0.6, 1.12, (e) => ({ yaw: -7 * DEG * e })),
  // A lens zoom magnifies uniformly; a dolly push also grows the edges faster than the centre.
  zoom_in: (t) => ({ zoom: zoomTo(1.25, ease(t)) }),
  push_in: (t) => ({ zoom: zoomTo(1.2, ease(t)), loom: 0.08 * ease(t) }),
  // From the full picture there is nothing outside it to reveal: the centre recedes while the
  // frame's edges hold, a wide-angle pull-back.
  zoom_out: (t) => ({ bend: 0.3 * ease(t) }),
  pull_out: (t) => ({ bend: 0.24 * ease(t), loom: 0.03 * ease(t) }),
  // The subject (centre) keeps its size while the background (edges) looms.
  dolly_zoom: (t) => ({ loom: 0.12 * ease(t), zoom: 1 / (1 - 0.12 * ease(t)) }),
  static: () => ({}),
  handheld: (t) => {
    const r = lead(t, 0.15);
    return { zoom: zoomTo(1.06, r), panX: 0.6 * r * wander(t, 1), panY: 0.6 * r * wander(t, 2), roll: 0.5 * DEG * r * wander(t, 3) };
  },
  // Flying forward over the scene: expansion from a point above the centre (the horizon ahead).
  aerial: (t) => ({ zoom: zoomTo(1.22, ease(t)), panY: -0.5 }),
  aerial_drone: (t) => ({ zoom: zoomTo(1.22, ease(t)), panY: -0.5, panX: 0.6 * ease(t), roll: -2.5 * DEG * Math.sin(Math.PI * ease(t)) }),
  bolt_cam: (t) => ({ zoom: zoomTo(1.45, whip(t)), panX: 0.5 * whip(t), panY: -0.2 * whip(t) }),
  // A spinning globe: the centre bulges towards the viewer while the picture turns.
  tiny_planet: (t) => ({ roll: 30 * DEG * ease(t), bend: -0.35 * ease(t), zoom: zoomTo(1.05, ease(t)) }),
  elevator_doors: (t) => ({ stretch: zoomTo(1.3, ease(t)), zoom: zoomTo(1.02, ease(t)) }),
  // Framing words: the camera settles into that framing from the picture as given.
  low_angle: (t) => ({ pitch: 6 * DEG * ease(t), zoom: zoomTo(1.05, ease(t)), panY: 0.3 * ease(t) }),
  high_angle: (t) => ({ pitch: -6 * DEG * ease(t), zoom: zoomTo(1.05, ease(t)), panY: -0.3 * ease(t) }),
  overhead: (t) => ({ roll: 12 * DEG * ease(t), zoom: zoomTo(1.15, ease(t)) }),
  eye_level: (t) => ({ zoom: zoomTo(1.1, ease(t)) }),
  ground_level: (t) => ({ pitch: 4 * DEG * ease(t), zoom: zoomTo(1.2, ease(t)), panY: 0.8 }),
  over_the_shoulder: (t) => ({ zoom: zoomTo(1.25, lead(t, 0.6)), panX: 0.7 * ease(t) }),
  pov: (t) => {
    const r = lead(t, 0.2);
    return { zoom: zoomTo(1.18, ease(t)), panY: 0.35 * r * Math.sin(2 * Math.PI * 4 * t) };
  },
  selfie: (t) => ({ bend: -0.12 * ease(t), zoom: zoomTo(1.12, ease(t)), panY: -0.4, roll: 1.5 * DEG * Math.sin(2 * Math.PI * 1.5 * t) * lead(t, 0.3) }),
};

/** The word whose move, played backwards, reads as this word: how a video arrives on an image. */
export const OPPOSITE: Partial<Record<CameraWord, CameraWord>> = {
  truck_left: 'truck_right', truck_right: 'truck_left', pan_left: 'pan_right', pan_right: 'pan_left',
  tilt_up: 'tilt_down', tilt_down: 'tilt_up', pedestal_up: 'pedestal_down', pedestal_down: 'pedestal_up',
  crane_up: 'crane_down', crane_down: 'crane_up', roll_left: 'roll_right', roll_right: 'roll_left',
  orbit_left: 'orbit_right', orbit_right: 'orbit_left', zoom_in: 'zoom_out', zoom_out: 'zoom_in',
  push_in: 'pull_out', pull_out: 'push_in',
};

/** The gentle move used when a prompt names no camera word: a slow centred push. */
export const DEFAULT_MOVE: Move = (t) => ({ zoom: zoomTo(1.12, ease(t)) });

/** Combines moves: zooms and stretches multiply, everything else adds. */
export function combine(moves: readonly Move[]): (t: number) => Pose {
  return (t) => {
    const p: Pose = { ...STILL };
    for (const m of moves) {
      const d = m(t);
      p.zoom *= d.zoom ?? 1;
      p.stretch *= d.stretch ?? 1;
      p.panX += d.panX ?? 0;
      p.panY += d.panY ?? 0;
      p.roll += d.roll ?? 0;
      p.yaw += d.yaw ?? 0;
      p.pitch += d.pitch ?? 0;
      p.bend += d.bend ?? 0;
      p.loom += d.loom ?? 0;
    }
    return p;
  };
}

/** The path for a set of words leaving the picture (t = 0 is the picture). */
export function departure(words: readonly CameraWord[]): (t: number) => Pose {
  return combine(words.length ? words.map((w) => MOVES[w]) : [DEFAULT_MOVE]);
}

/** The path for a set of words arriving on the picture (t = 1 is the picture). */
export function arrival(words: readonly CameraWord[]): (t: number) => Pose {
  const depart = combine(words.length ? words.map((w) => MOVES[OPPOSITE[w] ?? w]) : [DEFAULT_MOVE]);
  return (t) => depart(1 - t);
}
