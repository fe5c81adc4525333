// The endpoint registry: endpoint id → its schema, which input fields are files, and its runner.
import { z } from 'zod';
import { Ray2ImageToVideoInput, VideoOutput } from './ray2-schemas.ts';
import { ValidationError } from '../errors.ts';

export interface Endpoint {
  /** fal's full endpoint id, e.g. `fal-ai/luma-dream-machine/ray-2/image-to-video`. */
  id: string;
  title: string;
  input: z.ZodType;
  output: z.ZodType;
  /** Input fields holding file URLs or data URIs, resolved before the runner starts. */
  fileFields: readonly string[];
  runner: string;
  /** Checks across fields that the schema alone cannot say; throws ValidationError. */
  check?: (input: Record<string, unknown>) => void;
  /** fal's billing units of a request with this (validated) input; absent: Ray 2's rule (cost.ts). */
  units?: (input: Record<string, unknown>) => number;
}

const RAY2_IMAGE_TO_VIDEO: Endpoint = {
  id: 'fal-ai/luma-dream-machine/ray-2/image-to-video',
  title: 'Luma Ray 2 (Image to Video)',
  input: Ray2ImageToVideoInput,
  output: VideoOutput,
  fileFields: ['image_url', 'end_image_url'],
  runner: 'motion',
  check: (input) => {
    if (input.image_url === undefined && input.end_image_url === undefined) {
      // Text-to-video is not built yet; say so rather than inventing a video.
      throw ValidationError.field('image_url', 'image_url or end_image_url is required: this server does not generate video from text alone yet', 'value_error.missing');
    }
  },
};

/** Does nothing, quickly: health checks of the whole queue path, and the queue benchmark. */
const NOOP: Endpoint = {
  id: 'reelhouse/noop',
  title: 'No-op',
  input: z.object({
    sleep_ms: z.number().int().min(0).max(600_000).default(0).describe('How long to take, in milliseconds'),
    steps: z.number().int().min(1).max(1000).default(1).describe('Progress steps (and log lines) over that time'),
    fail: z.boolean().default(false).describe('End with a runner error instead of output'),
  }),
  output: z.object({ ok: z.boolean(), request_id: z.string() }),
  fileFields: [],
  runner: 'noop',
  units: () => 0,
};

export class EndpointRegistry {
  readonly #byId = new Map<string, Endpoint>();

  constructor(endpoints: readonly Endpoint[]) {
    for (const e of endpoints) this.#byId.set(e.id, e);
  }

  get(id: string): Endpoint | undefined {
    return this.#byId.get(id);
  }

  list(): Endpoint[] {
    return [...this.#byId.values()];
  }
}

export function defaultEndpoints(): EndpointRegistry {
  return new EndpointRegistry([RAY2_IMAGE_TO_VIDEO, NOOP]);
}
