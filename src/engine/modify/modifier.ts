// One modify transform, fitted once and applied to every frame: global LUT → local grid →
// strength → the edited frame's residual where content has not moved → stylisation → bytes.
// Float planes between the steps; the frame layout in and out is yuv420p.
import { chromaSize, framePlanes, type YuvImage } from '../yuv.ts';
import { Anchor, HOLD_SECONDS } from './anchor.ts';
import { CameraShift } from './camera-shift.ts';
import { fitColourLut } from './fit-lut.ts';
import { applyLocalGrid, fitLocalGrid, type FloatPlanes, type LocalGrid } from './local-grid.ts';
import { applyLut, type ColourLut } from './lut.ts';
import type { ModeParams } from './modes.ts';
import { Styliser } from './stylise.ts';

export interface ModifierSetup {
  width: number;
  height: number;
  fps: number;
  params: ModeParams;
  /** Flash endpoints: no local grid, no edge-preserving smoothing. */
  draft: boolean;
}

const floatPlanes = (width: number, height: number): FloatPlanes => {
  const c = chromaSize(width) * chromaSize(height);
  return { y: new Float32Array(width * height), u: new Float32Array(c), v: new Float32Array(c) };
};

export class FrameModifier {
  readonly #s: ModifierSetup;
  readonly #lut: ColourLut;
  readonly #grid: LocalGrid | null;
  readonly #strength: number;
  #anchor: Anchor | null = null;
  /** Edits only: where the picture has moved since the first frame. */
  #camera: CameraShift | null = null;
  readonly #styliser: Styliser | null;
  readonly #graded: FloatPlanes;
  readonly #local: FloatPlanes;
  /** The stylisation waits for the first frame to hand over (an edit), or starts at once (a prompt). */
  readonly #stylisationRamps: boolean;

  private constructor(setup: ModifierSetup, lut: ColourLut, grid: LocalGrid | null, strength: number, ramps: boolean) {
    this.#s = setup;
    this.#lut = lut;
    this.#grid = grid;
    this.#strength = strength;
    this.#stylisationRamps = ramps;
    this.#styliser = setup.params.stylise > 0 ? new Styliser(setup.width, setup.height) : null;
    this.#graded = floatPlanes(setup.width, setup.height);
    this.#local = grid ? floatPlanes(setup.width, setup.height) : this.#graded;
  }

  /**
   * The transform from the source's first frame (yuv420p bytes) to the edited frame (cover-fitted
   * to the same size). In the anchored modes the first frame comes out as the edited frame.
   */
  static fromEdit(first: Uint8Array, edited: YuvImage, setup: ModifierSetup): FrameModifier {
    const { width, height, params } = setup;
    const [y, u, v] = framePlanes(first, width, height);
    const src = { y: y.data, u: u.data, v: v.data };
    const dst = { y: edited.y.data, u: edited.u.data, v: edited.v.data };
    const lut = fitColourLut(src, dst, width, height);
    let grid: LocalGrid | null = null;
    if (!setup.draft && params.locality > 0) {
      const graded = floatPlanes(width, height);
      applyLut(lut, src, width, height, graded);
      grid = fitLocalGrid(graded, dst, width, height, params.locality);
    }
    const m = new FrameModifier(setup, lut, grid, params.strength, true);
    m.#camera = new CameraShift(width, height);
    if (params.anchor) {
      const colour = m.#colour(src);
      const residual = floatPlanes(width, height);
      for (const k of ['y', 'u', 'v'] as const) for (let i = 0; i < residual[k].length; i++) residual[k][i] = dst[k][i]! - colour[k][i]!;
      m.#anchor = new Anchor(residual, src.y, width, height, setup.fps);
    }
    return m;
  }

  /** A transform given as a LUT (a prompt's grade, its strength already applied). */
  static fromLut(lut: ColourLut, setup: ModifierSetup): FrameModifier {
    return new FrameModifier(setup, lut, null, 1, false);
  }

  /** Global LUT, local grid (moved with the camera) and strength: the colour part, into a scratch plane set. */
  #colour(src: { y: Uint8Array; u: Uint8Array; v: Uint8Array }): FloatPlanes {
    const { width, height } = this.#s;
    applyLut(this.#lut, src, width, height, this.#graded);
    if (this.#grid) applyLocalGrid(this.#grid, this.#graded, this.#local, width, height, this.#camera?.dx ?? 0, this.#camera?.dy ?? 0);
    const out = this.#local;
    const s = this.#strength;
    if (s !== 1) {
      for (const k of ['y', 'u', 'v'] as const) {
        const o = out[k], a = src[k];
        for (let i = 0; i < o.length; i++) o[i] = a[i]! + s * (o[i]! - a[i]!);
      }
    }
    return out;
  }

  /** The modified frame `index` (0-based, in order) of a source frame; a new buffer. */
  process(frame: Uint8Array, index: number): Uint8Array {
    const { width, height, fps, params, draft } = this.#s;
    const [y, u, v] = framePlanes(frame, width, height);
    const src = { y: y.data, u: u.data, v: v.data };
    this.#camera?.update(src.y);
    const out = this.#colour(src);
    const handover = Math.exp(-index / (HOLD_SECONDS * fps));
    const shift = this.#camera ?? { dx: 0, dy: 0 };
    this.#anchor?.apply(src.y, out, params.persistence + (1 - params.persistence) * handover, shift.dx, shift.dy);
    this.#styliser?.apply(out, src, { amount: params.stylise * (this.#stylisationRamps ? 1 - handover : 1), draft, frame: index });
    const bytes = new Uint8Array(frame.length);
    const [oy, ou, ov] = framePlanes(bytes, width, height);
    toBytes(out.y, oy.data);
    toBytes(out.u, ou.data);
    toBytes(out.v, ov.data);
    return bytes;
  }
}

function toBytes(src: Float32Array, dst: Uint8Array): void {
  for (let i = 0; i < src.length; i++) {
    const x = src[i]! + 0.5;
    dst[i] = x < 0 ? 0 : x > 255 ? 255 : x;
  }
}
