// The nine modify modes as numbers. Each column grows (or stays) from adhere_1 to reimagine_3, so
// every step departs at least as far from the source as the one before (test/modify.test.ts
// measures the distance). docs/modify.md explains each column to users.

export const MODIFY_MODES = [
  'adhere_1', 'adhere_2', 'adhere_3', 'flex_1', 'flex_2', 'flex_3', 'reimagine_1', 'reimagine_2', 'reimagine_3',
] as const;
export type ModifyMode = (typeof MODIFY_MODES)[number];

export interface ModeParams {
  /** Share of the fitted colour transform applied with an edited first frame (1 = all of it). */
  strength: number;
  /** Share of the prompt's grade applied when there is no edited frame. */
  promptStrength: number;
  /** Weight of the local (per-region) colour correction on top of the global one. */
  locality: number;
  /**
   * Whether the first frame becomes the edited image exactly, its detail then carried on content
   * that has not moved. False in the adhere modes, which keep the source's own pixels.
   */
  anchor: boolean;
  /** Share of the edited image's detail still carried on unmoved content once the first 0.2 s are over. */
  persistence: number;
  /** Stylisation: the change pushed past the edit, edge-preserving smoothing, posterisation and grain (0 = none). */
  stylise: number;
}

const p = (strength: number, promptStrength: number, locality: number, anchor: boolean, persistence: number, stylise: number): ModeParams =>
  ({ strength, promptStrength, locality, anchor, persistence, stylise });

/** The numbers behind each mode. */
export const MODE_PARAMS: Readonly<Record<ModifyMode, ModeParams>> = {
  adhere_1: p(0.4, 0.3, 0.4, false, 0, 0),
  adhere_2: p(0.6, 0.45, 0.6, false, 0, 0),
  adhere_3: p(0.8, 0.6, 0.8, false, 0, 0),
  flex_1: p(1, 0.75, 1, true, 0.4, 0),
  flex_2: p(1, 0.9, 1, true, 0.7, 0.12),
  flex_3: p(1, 1, 1, true, 1, 0.25),
  reimagine_1: p(1, 1, 1, true, 1, 0.45),
  reimagine_2: p(1, 1, 1, true, 1, 0.7),
  reimagine_3: p(1, 1, 1, true, 1, 1),
};

export function modeParams(mode: string): ModeParams {
  const params = MODE_PARAMS[mode as ModifyMode] as ModeParams | undefined;
  if (!params) throw new RangeError(`unknown modify mode ${mode}`);
  return params;
}
