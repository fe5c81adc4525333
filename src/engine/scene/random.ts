// Seeded randomness for scenes. Everything a scene draws comes from the prompt's hash through
// these functions, never from Math.random or the clock, so the same prompt paints the same video.

/** FNV-1a over the UTF-16 code units of a string: a 32-bit seed for a prompt. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A stateless integer hash of up to three integers and a seed, in [0, 1). For per-cell choices. */
export function hash3(a: number, b: number, c: number, seed: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(c | 0, 0x9e3779b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * mulberry32: small, fast and good enough to place stars and raindrops. One stream per purpose
 * (`fork`), so adding a draw to one layer does not reshuffle every other layer.
 *
 * @example
 * const rng = new Rng(hashString('sunset over the ocean'));
 * rng.range(0.2, 0.4);
 */
export class Rng {
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(lo: number, hi: number): number {
    return Math.floor(this.range(lo, hi + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.min(items.length - 1, Math.floor(this.next() * items.length))]!;
  }

  /** An independent stream named by `purpose`, whatever has been drawn from this one. */
  fork(purpose: string): Rng {
    return new Rng(hashString(purpose) ^ Math.imul(this.seed, 0x9e3779b1));
  }
}

/** Fractional part in [0, 1), also for negative numbers. */
export const frac = (x: number): number => x - Math.floor(x);
