// Live previews for the runners: the frame being made, offered to the request's reporter.
import type { RunContext } from './runner.ts';

/** A preview frame is converted at most this often (the reporter throttles its uploads itself). */
const PREVIEW_EVERY_MS = 1000;

type Rgb = Parameters<RunContext['preview']>[0];

/**
 * An `onFrame` callback for a render: at most once a second it converts the frame with `toRgb`
 * and offers it as the preview; every other call costs a clock read.
 *
 * @example
 * onFrame: throttledPreview(ctx, (frame) => yuvToRgbPreview(frame, width, height)),
 */
export function throttledPreview<A extends unknown[]>(ctx: Pick<RunContext, 'preview'>, toRgb: (...frame: A) => Rgb): (...frame: A) => void {
  let last = -Infinity;
  return (...frame) => {
    const now = performance.now();
    if (now - last < PREVIEW_EVERY_MS) return;
    last = now;
    ctx.preview(toRgb(...frame));
  };
}
