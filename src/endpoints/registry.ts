// The endpoint registry: endpoint id → its schema, which input fields are files, and its runner.
import { z } from 'zod';
import {
  ImageToVideoInput, ModifyVideoInput, Ray2ImageToVideoInput, Ray2TextToVideoInput, ReframeVideoInput, TextToVideoInput, VideoOutput,
} from './ray2-schemas.ts';
import { checkReframeBox } from './reframe-check.ts';
import { FLASH_BASE, ray2Units } from './cost.ts';

/** How much a runner may trade picture quality for speed: flash endpoints ask for `draft`. */
export type Quality = 'standard' | 'draft';

export interface Endpoint {
  /** fal's full endpoint id, e.g. `fal-ai/luma-dream-machine/ray-2/image-to-video`. */
  id: string;
  title: string;
  input: z.ZodType;
  output: z.ZodType;
  /** Input fields holding file URLs or data URIs, resolved before the runner starts. */
  fileFields: readonly string[];
  /** The runner's name, or a choice by the (validated) input. */
  runner: string | ((input: Record<string, unknown>) => string);
  /** Absent: `standard`. */
  quality?: Quality;
  /** Checks across fields that the schema alone cannot say; throws ValidationError. */
  check?: (input: Record<string, unknown>) => void;
  /** fal's billing units of a request with this (validated) input; absent: Ray 2's rule (cost.ts). */
  units?: (input: Record<string, unknown>) => number;
}

/** The runner an endpoint names for this input. */
export function runnerOf(endpoint: Pick<Endpoint, 'runner'>, input: Record<string, unknown>): string {
  return typeof endpoint.runner === 'function' ? endpoint.runner(input) : endpoint.runner;
}

const LUMA = 'fal-ai/luma-dream-machine';

/** Image-to-video with neither image is text-to-video (fal answers it the same way). */
const motionOrScene = (input: Record<string, unknown>): string =>
  input.image_url === undefined && input.end_image_url === undefined ? 'scene' : 'motion';

/** The Ray 2 endpoints of one model (`ray-2` or `ray-2-flash`). */
function ray2Family(model: 'ray-2' | 'ray-2-flash'): Endpoint[] {
  const flash = model === 'ray-2-flash';
  const name = flash ? 'Luma Ray 2 Flash' : 'Luma Ray 2';
  const common = flash ? { quality: 'draft' as const, units: (input: Record<string, unknown>) => ray2Units(input, FLASH_BASE) } : {};
  // Reframe and modify have no resolution or duration field: one video, one base unit.
  const perVideo = { units: () => (flash ? FLASH_BASE : 1) };
  return [
    { id: `${LUMA}/${model}`, title: `${name} (Text to Video)`, input: Ray2TextToVideoInput, output: VideoOutput, fileFields: [], runner: 'scene', ...common },
    {
      id: `${LUMA}/${model}/image-to-video`, title: `${name} (Image to Video)`, input: Ray2ImageToVideoInput, output: VideoOutput,
      fileFields: ['image_url', 'end_image_url'], runner: motionOrScene, ...common,
    },
    {
      id: `${LUMA}/${model}/reframe`, title: `${name} (Reframe)`, input: ReframeVideoInput, output: VideoOutput,
      fileFields: ['video_url', 'image_url'], runner: 'reframe', check: checkReframeBox, ...common, ...perVideo,
    },
    {
      id: `${LUMA}/${model}/modify`, title: `${name} (Modify)`, input: ModifyVideoInput, output: VideoOutput,
      fileFields: ['video_url', 'image_url'], runner: 'modify', ...common, ...perVideo,
    },
  ];
}

/** Dream Machine v1.5's shapes: no resolution or duration (540p, 5 s), one unit a video. */
const DREAM_MACHINE: Endpoint[] = [
  { id: LUMA, title: 'Luma Dream Machine (Text to Video)', input: TextToVideoInput, output: VideoOutput, fileFields: [], runner: 'scene' },
  {
    id: `${LUMA}/image-to-video`, title: 'Luma Dream Machine (Image to Video)', input: ImageToVideoInput, output: VideoOutput,
    fileFields: ['image_url', 'end_image_url'], runner: 'motion',
  },
];

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
  return new EndpointRegistry([...ray2Family('ray-2'), ...ray2Family('ray-2-flash'), ...DREAM_MACHINE, NOOP]);
}
