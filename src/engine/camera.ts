// Easing curves and envelopes: the timing of every camera move and dissolve. All are pure
// functions of normalised time.

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
 * Out and back with period 1: 0 at t = 0 (and every whole t), 1 at t = 0.5, smooth across the
 * wrap (all derivatives match), so a move driven by it loops without a seam.
 */
export const outAndBack = (t: number): number => (1 - Math.cos(2 * Math.PI * t)) / 2;

/** Triangle wave: 0 at t = 0 and t = 1, 1 at t = 0.5. */
export const thereAndBack = (t: number): number => 1 - Math.abs(2 * (t - Math.floor(t)) - 1);
