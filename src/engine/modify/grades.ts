// Without an edited first frame, the prompt's colour and mood words choose a grade. Each word
// adds to one set of knobs (temperature, saturation, contrast, exposure, lift, split toning, sepia,
// monochrome), so "warm vintage" is both; the knobs become one function of R'G'B' baked into the
// LUT. The vocabulary is listed in docs/modify.md.
import { normalisePrompt } from '../vocabulary.ts';
import { clamp01, rgbToYuvFloat, yuvToRgb } from './colour.ts';
import { lutFromFunction, type ColourLut } from './lut.ts';

type Rgb = [number, number, number];

export interface Grade {
  /** + warmer (more red, less blue), − cooler; about ±0.15 of full scale at 1. */
  temperature: number;
  /** + magenta, − green. */
  tint: number;
  /** Chroma multiplier around each pixel's luma. */
  saturation: number;
  /** + steeper S-curve around mid grey, − flatter. */
  contrast: number;
  /** Stops. */
  exposure: number;
  /** Raises black (a faded, matte look). */
  lift: number;
  /** Tones added to shadows and highlights (R, G, B offsets, split toning). */
  shadows: Rgb;
  highlights: Rgb;
  /** 0–1: mixed towards a sepia print. */
  sepia: number;
  /** 0–1: mixed towards black and white. */
  mono: number;
}

const NEUTRAL: Grade = {
  temperature: 0, tint: 0, saturation: 1, contrast: 0, exposure: 0, lift: 0, shadows: [0, 0, 0], highlights: [0, 0, 0], sepia: 0, mono: 0,
};

type Knobs = Partial<Grade>;

/** Word (a phrase in a normalised prompt) → what it does. Longer phrases first. */
export const GRADE_WORDS: readonly [name: string, pattern: RegExp, knobs: Knobs][] = [
  ['teal and orange', /\b(?:teal (?:and|&) orange|orange (?:and|&) teal|blockbuster)\b/, { shadows: [-0.06, 0.03, 0.07], highlights: [0.08, 0.02, -0.07], contrast: 0.1 }],
  ['black and white', /\b(?:black (?:and|&) white|b ?& ?w|monochrome|grayscale|greyscale|noir|colorless|colourless)\b/, { mono: 1, contrast: 0.2 }],
  ['golden hour', /\b(?:golden hour|golden|sunset|sunrise|magic hour)\b/, { temperature: 1.2, highlights: [0.06, 0.03, -0.04], exposure: 0.1, saturation: 1.1 }],
  ['sepia', /\bsepia\b/, { sepia: 1 }],
  ['vintage', /\b(?:vintage|retro|faded|old film|film look|70s|1970s|nostalgic)\b/, { lift: 0.07, sepia: 0.3, saturation: 0.85, temperature: 0.2, contrast: -0.1 }],
  ['neon', /\b(?:neon|cyberpunk|synthwave)\b/, { saturation: 1.5, contrast: 0.15, tint: 0.3, shadows: [0.03, -0.04, 0.08], highlights: [-0.03, 0.04, 0.05] }],
  ['pastel', /\b(?:pastel|soft colou?rs?|dreamy)\b/, { saturation: 0.6, lift: 0.1, contrast: -0.2, exposure: 0.15 }],
  ['moody', /\b(?:moody|gloomy|dark|ominous|brooding|night)\b/, { exposure: -0.45, saturation: 0.8, contrast: 0.15, shadows: [-0.02, 0, 0.04] }],
  ['vibrant', /\b(?:vibrant|vivid|saturated|colou?rful|punchy)\b/, { saturation: 1.45, contrast: 0.1 }],
  ['muted', /\b(?:muted|desaturated|washed out|bleak)\b/, { saturation: 0.55 }],
  ['warm', /\b(?:warm|warmer|warmth|cozy|cosy|autumn|fall)\b/, { temperature: 1 }],
  ['cool', /\b(?:cool|cooler|cold|colder|icy|winter|frozen|blue tone)\b/, { temperature: -1 }],
  ['bright', /\b(?:bright|brighter|sunny|airy)\b/, { exposure: 0.4 }],
  ['high contrast', /\b(?:high contrast|contrasty|dramatic)\b/, { contrast: 0.3 }],
];

/** What a prompt without any known word gets: a touch of contrast, colour and warmth. */
export const DEFAULT_GRADE: Knobs = { contrast: 0.08, saturation: 1.1, temperature: 0.1 };

/** The grade words a prompt names (their names, in table order) and the combined grade. */
export function gradeOf(prompt: string): { words: string[]; grade: Grade } {
  let text = normalisePrompt(prompt);
  const words: string[] = [];
  const knobs: Knobs[] = [];
  for (const [name, pattern, k] of GRADE_WORDS) {
    const m = pattern.exec(text);
    if (!m) continue;
    words.push(name);
    knobs.push(k);
    // Consume the phrase, so "golden" in "golden hour" and "dark" in "dark teal" count once.
    text = text.slice(0, m.index) + ' '.repeat(m[0].length) + text.slice(m.index + m[0].length);
  }
  return { words, grade: combine(knobs.length ? knobs : [DEFAULT_GRADE]) };
}

function combine(list: readonly Knobs[]): Grade {
  const g: Grade = { ...NEUTRAL, shadows: [0, 0, 0], highlights: [0, 0, 0] };
  for (const k of list) {
    g.temperature += k.temperature ?? 0;
    g.tint += k.tint ?? 0;
    g.saturation *= k.saturation ?? 1;
    g.contrast += k.contrast ?? 0;
    g.exposure += k.exposure ?? 0;
    g.lift += k.lift ?? 0;
    for (let i = 0; i < 3; i++) {
      g.shadows[i]! += k.shadows?.[i] ?? 0;
      g.highlights[i]! += k.highlights?.[i] ?? 0;
    }
    g.sepia = Math.max(g.sepia, k.sepia ?? 0);
    g.mono = Math.max(g.mono, k.mono ?? 0);
  }
  return g;
}

const luma = (c: Rgb): number => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

/** The grade as a function of R'G'B' in [0, 1]. */
export function applyGrade(g: Grade, input: Rgb): Rgb {
  // No clamping until the end: the LUT's nodes outside the RGB cube must stay where a neutral grade
  // puts them, or colours near the gamut's edge would shift through the interpolation.
  let c: Rgb = [...input];
  const gain = 2 ** g.exposure;
  c = [c[0] * gain, c[1] * gain, c[2] * gain];
  const t = 0.15 * g.temperature;
  const m = 0.08 * g.tint;
  c = [c[0] * (1 + t) + m, c[1] * (1 - 0.25 * Math.abs(t)) - m, c[2] * (1 - t) + m];
  if (g.contrast !== 0) {
    // An S-curve around 0.5 through (0, 0) and (1, 1): x + k·x(1 − x)(2x − 1)·… keeps the ends fixed.
    const k = 2 * g.contrast;
    c = c.map((x) => {
      const v = clamp01(x);
      return x + k * v * (1 - v) * (2 * v - 1);
    }) as Rgb;
  }
  const l = clamp01(luma(c));
  const shadow = (1 - l) ** 2;
  const high = l ** 2;
  c = c.map((x, i) => x + g.shadows[i]! * shadow + g.highlights[i]! * high) as Rgb;
  const l2 = luma(c);
  c = c.map((x) => l2 + (x - l2) * g.saturation) as Rgb;
  if (g.sepia > 0) {
    const s: Rgb = [
      0.393 * c[0] + 0.769 * c[1] + 0.189 * c[2],
      0.349 * c[0] + 0.686 * c[1] + 0.168 * c[2],
      0.272 * c[0] + 0.534 * c[1] + 0.131 * c[2],
    ];
    c = c.map((x, i) => x + (s[i]! - x) * g.sepia) as Rgb;
  }
  if (g.mono > 0) {
    const l3 = luma(c);
    c = c.map((x) => x + (l3 - x) * g.mono) as Rgb;
  }
  if (g.lift > 0) c = c.map((x) => g.lift + x * (1 - g.lift)) as Rgb;
  return c;
}

/** The grade baked into a Y'CbCr LUT. */
export function gradeLut(grade: Grade): ColourLut {
  return lutFromFunction((y, u, v) => {
    const [r, g, b] = applyGrade(grade, yuvToRgb(y, u, v));
    return rgbToYuvFloat(r, g, b);
  });
}
