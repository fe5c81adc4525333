// Where everything lands in a reframe, decided once from the probed source size and the request:
// the canvas, the crop box in source pixels, and the placed rectangle on the canvas. The rules
// (docs/reframe.md) in one place, so the runner, the compositor and the tests agree on them.

/** A rectangle in whole pixels; x, y is the top-left corner. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The request's geometry fields, as the schema gives them (integers ≥ 0, or absent). */
export interface ReframeFields {
  aspect_ratio: string;
  x_start?: number | undefined;
  x_end?: number | undefined;
  y_start?: number | undefined;
  y_end?: number | undefined;
  grid_position_x?: number | undefined;
  grid_position_y?: number | undefined;
}

export interface ReframeLayout {
  canvas: Size;
  /** The part of each source frame that is kept, in source pixels (as displayed, rotation applied). */
  crop: Rect;
  /** Where the kept part lands on the canvas, in canvas pixels; smaller than crop when scaled down. */
  placed: Rect;
  /** True when the crop was larger than the canvas and was scaled down to fit. */
  scaled: boolean;
}

/** A geometry field that does not fit the probed source: the caller's input, answered as 422. */
export class ReframeInputError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * The largest canvas side. Hardware H.264 decoders (phones, browsers) commonly stop at 4096
 * pixels wide; a 4K source turned 21:9 would otherwise be 5040 wide.
 */
export const MAX_CANVAS_SIDE = 4096;

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

function parseAspect(aspect: string): [number, number] {
  const [a, b] = aspect.split(':').map(Number);
  if (!a || !b) throw new RangeError(`not an aspect ratio: ${aspect}`);
  return [a, b];
}

/**
 * The canvas: the target aspect at the source's resolution class, which is its short side (a
 * 1280x720 source is 720p: 16:9 → 1280x720, 1:1 → 720x720, 9:16 → 720x1280). The short side is
 * what the Ray 2 family's 540p/720p/1080p name, so for those classes this is exactly the table of
 * src/engine/sizes.ts. Both sides are even (yuv420p), the long side at most MAX_CANVAS_SIDE.
 *
 * @example
 * canvasSize({ width: 960, height: 540 }, '21:9'); // { width: 1260, height: 540 }
 */
export function canvasSize(source: Size, aspect: string): Size {
  const [a, b] = parseAspect(aspect);
  const ratio = Math.max(a, b) / Math.min(a, b);
  let short = Math.max(2, Math.floor(Math.min(source.width, source.height) / 2) * 2);
  if (short * ratio > MAX_CANVAS_SIDE) short = Math.max(2, Math.floor(MAX_CANVAS_SIDE / ratio / 2) * 2);
  const long = Math.min(MAX_CANVAS_SIDE, even(short * ratio));
  return a >= b ? { width: long, height: short } : { width: short, height: long };
}

/** One axis of the crop box: [start, end) within [0, size), at least 2 pixels. */
function cropAxis(size: number, start: number | undefined, end: number | undefined, names: [string, string], axis: string): [number, number] {
  const [startName, endName] = names;
  const s = start ?? 0;
  const e = end ?? size;
  if (s > size - 2) throw new ReframeInputError(startName, `${startName} (${s}) is outside the source, which is ${size} pixels ${axis}: at most ${size - 2}`);
  if (e > size) throw new ReframeInputError(endName, `${endName} (${e}) is outside the source, which is ${size} pixels ${axis}: at most ${size}`);
  if (e - s < 2) throw new ReframeInputError(endName, `${endName} (${e}) leaves a crop box of ${e - s} pixel(s) ${axis} from ${startName} (${s}); at least 2`);
  return [s, e];
}

/** One axis of the grid position: the placed source's first pixel, inside the canvas. */
function gridAxis(canvas: number, placed: number, given: number | undefined, name: string, axis: string): number {
  if (given === undefined) return Math.floor((canvas - placed) / 2);
  if (given + placed > canvas) {
    throw new ReframeInputError(
      name,
      `${name} (${given}) puts the ${placed}-pixel ${axis} source past the ${canvas}-pixel canvas: at most ${canvas - placed}`,
    );
  }
  return given;
}

/**
 * The layout of a reframe of a `source`-sized video. The crop box is x_start ≤ x < x_end,
 * y_start ≤ y < y_end in source pixels (absent bounds: the frame's edges). The cropped source is
 * placed unscaled, or scaled down to fit when it is larger than the canvas. grid_position_x/y is
 * the placed source's top-left corner in canvas pixels (absent: centred); the whole placed source
 * must stay on the canvas. Throws ReframeInputError naming the field that does not fit.
 *
 * @example
 * reframeLayout({ width: 960, height: 540 }, { aspect_ratio: '9:16' });
 * // canvas 540x960, crop 960x540 at 0,0, placed 540x304 at 0,328 (scaled)
 */
export function reframeLayout(source: Size, f: ReframeFields): ReframeLayout {
  const canvas = canvasSize(source, f.aspect_ratio);
  const [x0, x1] = cropAxis(source.width, f.x_start, f.x_end, ['x_start', 'x_end'], 'wide');
  const [y0, y1] = cropAxis(source.height, f.y_start, f.y_end, ['y_start', 'y_end'], 'high');
  const crop = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const fits = crop.width <= canvas.width && crop.height <= canvas.height;
  const scale = fits ? 1 : Math.min(canvas.width / crop.width, canvas.height / crop.height);
  const width = fits ? crop.width : Math.min(canvas.width, Math.max(2, Math.round(crop.width * scale)));
  const height = fits ? crop.height : Math.min(canvas.height, Math.max(2, Math.round(crop.height * scale)));
  const x = gridAxis(canvas.width, width, f.grid_position_x, 'grid_position_x', 'wide');
  const y = gridAxis(canvas.height, height, f.grid_position_y, 'grid_position_y', 'high');
  return { canvas, crop, placed: { x, y, width, height }, scaled: !fits };
}
