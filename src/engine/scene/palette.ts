// The colours of a scene: a light for each time of day, tinted by the prompt's colour words and
// weather, graded by its mood. Grading happens here, once, on the palette (never per pixel), so a
// mood costs nothing per frame.
import type { ColourName, Mood, SceneSpec, TimeOfDay } from './words.ts';

/** sRGB 0–255, unclamped while the palette is built. */
export type Rgb = [number, number, number];

export interface Palette {
  skyTop: Rgb;
  skyMid: Rgb;
  skyHorizon: Rgb;
  /** The light source's disc and the glow around it (sun, or moon at night). */
  sun: Rgb;
  glow: Rgb;
  /** How far the glow spreads (0–1) and how strong it is. */
  glowSize: number;
  glowStrength: number;
  /** Height of the sun above the horizon (world units, screen height = 1) and its disc radius. */
  sunHeight: number;
  sunRadius: number;
  moon: boolean;
  /** False when cloud, rain or fog hide the disc (its glow stays, dimmed). */
  sunVisible: boolean;
  /** Nearest silhouette colour; far layers fade from it to `haze`. */
  land: Rgb;
  haze: Rgb;
  ground: Rgb;
  water: Rgb;
  windows: Rgb;
  /** Snow on the peaks, in this light. */
  snow: Rgb;
  neon: Rgb[];
  cloud: Rgb;
  cloudShade: Rgb;
  fog: Rgb;
  rain: Rgb;
  /** Animation pace: 1 is the default speed of drift, waves and particles. */
  pace: number;
  /** Terrain height multiplier (epic scenes tower). */
  relief: number;
}

interface Light {
  top: Rgb; mid: Rgb; horizon: Rgb; sun: Rgb; glow: Rgb; glowSize: number; glowStrength: number;
  sunHeight: number; land: Rgb; ground: Rgb; water: Rgb;
}

// Measured by eye against photographs of each light; the sunset's warm horizon and bright sun low
// down are what the tests look for.
const LIGHTS: Record<TimeOfDay, Light> = {
  dawn: {
    top: [62, 92, 150], mid: [176, 150, 170], horizon: [252, 196, 150], sun: [255, 236, 200], glow: [255, 180, 130],
    glowSize: 0.35, glowStrength: 0.7, sunHeight: 0.05, land: [58, 56, 80], ground: [70, 74, 70], water: [40, 66, 104],
  },
  day: {
    top: [46, 108, 200], mid: [110, 165, 225], horizon: [196, 220, 238], sun: [255, 252, 235], glow: [255, 245, 215],
    glowSize: 0.22, glowStrength: 0.55, sunHeight: 0.36, land: [62, 92, 72], ground: [86, 122, 66], water: [30, 96, 150],
  },
  sunset: {
    top: [38, 44, 104], mid: [196, 92, 92], horizon: [255, 154, 62], sun: [255, 226, 150], glow: [255, 150, 60],
    glowSize: 0.45, glowStrength: 0.95, sunHeight: 0.045, land: [44, 28, 44], ground: [56, 40, 46], water: [18, 56, 118],
  },
  dusk: {
    top: [18, 24, 62], mid: [70, 62, 120], horizon: [170, 100, 120], sun: [255, 190, 150], glow: [200, 110, 130],
    glowSize: 0.4, glowStrength: 0.45, sunHeight: -0.02, land: [20, 20, 36], ground: [24, 26, 38], water: [16, 30, 64],
  },
  night: {
    top: [4, 7, 20], mid: [10, 16, 40], horizon: [26, 36, 66], sun: [236, 240, 255], glow: [120, 140, 200],
    glowSize: 0.12, glowStrength: 0.35, sunHeight: 0.3, land: [10, 12, 22], ground: [12, 14, 24], water: [10, 20, 44],
  },
};

export const COLOURS: Record<ColourName, Rgb> = {
  red: [230, 40, 50], orange: [255, 130, 30], yellow: [255, 220, 60], gold: [255, 190, 70], green: [60, 200, 90],
  teal: [30, 190, 180], cyan: [40, 230, 255], blue: [50, 100, 255], purple: [150, 70, 230], pink: [255, 120, 190],
  magenta: [255, 40, 220], white: [240, 240, 250],
};

/** Default neon tubes: magenta, cyan, violet and a hot pink, the colours the word brings to mind. */
const NEON: Rgb[] = [[255, 40, 210], [30, 230, 255], [170, 60, 255], [255, 70, 130]];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const scale = (a: Rgb, k: number): Rgb => [a[0] * k, a[1] * k, a[2] * k];
const grey = (a: Rgb): Rgb => {
  const l = 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
  return [l, l, l];
};
/** Saturation by `s` (1 keeps it) around the colour's own luma. */
const saturate = (a: Rgb, s: number): Rgb => mix(grey(a), a, s);
const clampRgb = (a: Rgb): Rgb => [0, 1, 2].map((i) => Math.max(0, Math.min(255, Math.round(a[i]!)))) as Rgb;

interface Grade { saturation: number; brightness: number; tint: Rgb | null; tintBy: number; pace: number; relief: number; glow: number }

const GRADES: Record<Mood, Grade> = {
  calm: { saturation: 0.9, brightness: 1, tint: null, tintBy: 0, pace: 0.7, relief: 0.9, glow: 1 },
  dramatic: { saturation: 1.15, brightness: 0.85, tint: null, tintBy: 0, pace: 1.25, relief: 1.2, glow: 1.3 },
  epic: { saturation: 1.1, brightness: 1, tint: null, tintBy: 0, pace: 1.1, relief: 1.4, glow: 1.25 },
  mysterious: { saturation: 0.7, brightness: 0.75, tint: [40, 120, 120], tintBy: 0.15, pace: 0.8, relief: 1, glow: 0.8 },
  dreamy: { saturation: 0.8, brightness: 1.08, tint: [255, 190, 230], tintBy: 0.18, pace: 0.75, relief: 0.9, glow: 1.2 },
  melancholy: { saturation: 0.55, brightness: 0.88, tint: [90, 110, 150], tintBy: 0.15, pace: 0.8, relief: 1, glow: 0.8 },
  cheerful: { saturation: 1.25, brightness: 1.08, tint: null, tintBy: 0, pace: 1.1, relief: 0.9, glow: 1.1 },
};
const NEUTRAL: Grade = { saturation: 1, brightness: 1, tint: null, tintBy: 0, pace: 1, relief: 1, glow: 1 };

/** The palette of a scene. */
export function paletteOf(spec: SceneSpec): Palette {
  const l = LIGHTS[spec.time];
  const g = spec.mood ? GRADES[spec.mood] : NEUTRAL;
  let land = l.land;
  let { top, mid, horizon, glow, ground, water } = l;
  let glowStrength = l.glowStrength * g.glow;
  // A colour word tints the sky's middle and horizon (and the water that reflects them).
  const accent = spec.colours.map((c) => COLOURS[c]);
  if (accent[0]) {
    mid = mix(mid, accent[0], 0.45);
    horizon = mix(horizon, accent[1] ?? accent[0], 0.35);
    glow = mix(glow, accent[0], 0.3);
    water = mix(water, scale(accent[0], 0.35), 0.3);
  }
  // Overcast, rain and storm: the sky goes grey and the sun hides behind the cloud deck.
  const overcast = spec.storm ? 0.75 : spec.rain ? 0.6 : spec.snow ? 0.4 : spec.fog ? 0.35 : spec.clouds ? 0.3 : 0;
  if (overcast > 0) {
    const dim = spec.storm ? 0.55 : spec.rain ? 0.7 : 0.9;
    top = mix(top, scale(grey(top), dim), overcast);
    mid = mix(mid, scale(grey(mid), dim), overcast);
    horizon = mix(horizon, scale(grey(horizon), dim), overcast * 0.8);
    glowStrength *= 1 - overcast * 0.6;
  }
  if (spec.landColour) {
    const c = COLOURS[spec.landColour];
    ground = mix(ground, scale(c, 0.6), 0.55);
    land = mix(land, scale(c, 0.5), 0.45);
  }
  if (spec.waterColour) water = mix(water, scale(COLOURS[spec.waterColour], 0.6), 0.6);
  if (spec.snow) ground = mix(ground, spec.time === 'night' ? [70, 80, 110] : [225, 232, 245], 0.85);
  const fog = mix(horizon, [200, 205, 215], spec.time === 'night' ? 0.1 : 0.35);
  const grade = (c: Rgb): Rgb => {
    let out = saturate(c, g.saturation);
    if (g.tint) out = mix(out, g.tint, g.tintBy);
    return clampRgb(scale(out, g.brightness));
  };
  const neon = (spec.colours.length ? spec.colours.map((c) => COLOURS[c]) : NEON).map((c) => clampRgb(saturate(c, 1.2)));
  return {
    skyTop: grade(top), skyMid: grade(mid), skyHorizon: grade(horizon),
    sun: grade(l.sun), glow: grade(glow), glowSize: l.glowSize, glowStrength,
    sunHeight: l.sunHeight, sunRadius: spec.time === 'night' ? 0.035 : spec.time === 'day' ? 0.045 : 0.07,
    moon: spec.time === 'night',
    sunVisible: overcast < 0.5,
    land: grade(land), haze: grade(mix(horizon, fog, 0.3)), ground: grade(ground), water: grade(water),
    windows: grade([255, 204, 120]), neon,
    snow: grade(spec.time === 'night' ? [96, 104, 128] : spec.time === 'dusk' ? [150, 150, 176] : spec.time === 'sunset' ? [250, 214, 200] : [236, 240, 248]),
    cloud: grade(mix(horizon, [235, 235, 240], spec.time === 'night' ? 0.1 : 0.5)),
    cloudShade: grade(mix(top, [40, 40, 50], 0.4)),
    fog: grade(fog), rain: grade(spec.time === 'night' ? [150, 165, 200] : [190, 200, 215]),
    pace: g.pace, relief: g.relief,
  };
}

export { mix, scale };
