// What a generation input asks for: size, frame count, rate. Shared by the runners that make a
// video from nothing but the input (motion, scene); reframe and modify follow their source.
import { videoSize, type AspectRatio, type Resolution } from '../engine/sizes.ts';
import { RunnerInputError } from './runner.ts';

export const FPS = 24;
/** Frames per duration at 24 fps; '9s' belongs to endpoints whose schema offers it. */
const FRAMES: Record<string, number> = { '5s': 120, '9s': 216 };

export interface Clip {
  width: number;
  height: number;
  frames: number;
  fps: number;
}

/**
 * The clip an input asks for. Dream Machine v1.5's shapes have no `resolution` or `duration`:
 * they are 540p and 5 s, as fal's v1.5 endpoints answer.
 *
 * @example clipOf({ aspect_ratio: '16:9', resolution: '720p', duration: '9s' }) // 1280×720, 216 frames
 */
export function clipOf(input: { aspect_ratio: string; resolution?: string | undefined; duration?: string | undefined }): Clip {
  const { width, height } = videoSize(input.aspect_ratio as AspectRatio, (input.resolution ?? '540p') as Resolution);
  const duration = input.duration ?? '5s';
  const frames = FRAMES[duration];
  if (!frames) throw new RunnerInputError('duration', `duration must be one of ${Object.keys(FRAMES).join(', ')}, got ${duration}`);
  return { width, height, frames, fps: FPS };
}
