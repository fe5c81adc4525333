// The Ray 2 family's input and output schemas, written once. Field names, enums, defaults and
// descriptions are fal's, word for word; validation, types and JSON Schema all come from here.
import { z } from 'zod';

export const AspectRatioEnum = z
  .enum(['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'])
  .describe('The aspect ratio of the generated video');

export const ResolutionEnum = z
  .enum(['540p', '720p', '1080p'])
  .describe('The resolution of the generated video (720p costs 2x more, 1080p costs 4x more)');

/** Reframe's canvases: the generation aspect ratios and a square. */
export const ReframeAspectRatioEnum = z
  .enum(['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'])
  .describe('The aspect ratio of the reframed video');

export const ModeEnum = z
  .enum(['adhere_1', 'adhere_2', 'adhere_3', 'flex_1', 'flex_2', 'flex_3', 'reimagine_1', 'reimagine_2', 'reimagine_3'])
  .describe('Amount of modification to apply to the video, adhere_1 is the least amount of modification, reimagine_3 is the most');

const optionalUrl = (description: string) => z.string().nullish().transform((v) => v ?? undefined).describe(description);
const optionalText = (description: string) => z.string().nullish().transform((v) => v ?? undefined).describe(description);
const optionalInt = (description: string) =>
  z.number().int().min(0).max(100_000).nullish().transform((v) => v ?? undefined).describe(description);

/** `fal-ai/luma-dream-machine/ray-2` (and ray-2-flash): Ray2TextToVideoRequest. */
export const Ray2TextToVideoInput = z.object({
  prompt: z.string(),
  aspect_ratio: AspectRatioEnum.default('16:9'),
  loop: z.boolean().default(false).describe('Whether the video should loop (end of video is blended with the beginning)'),
  resolution: ResolutionEnum.default('540p'),
  duration: z.enum(['5s', '9s']).default('5s').describe('The duration of the generated video (9s costs 2x more)'),
});
export type Ray2TextToVideoInput = z.output<typeof Ray2TextToVideoInput>;

/** `fal-ai/luma-dream-machine` (Dream Machine v1.5): TextToVideoRequest. */
export const TextToVideoInput = z.object({
  prompt: z.string(),
  aspect_ratio: AspectRatioEnum.default('16:9'),
  loop: z.boolean().default(false).describe('Whether the video should loop (end of video is blended with the beginning)'),
});
export type TextToVideoInput = z.output<typeof TextToVideoInput>;

/** `fal-ai/luma-dream-machine/image-to-video` (Dream Machine v1.5): ImageToVideoRequest. */
export const ImageToVideoInput = z.object({
  prompt: z.string(),
  image_url: z.string(),
  end_image_url: optionalUrl('An image to blend the end of the video with'),
  aspect_ratio: AspectRatioEnum.default('16:9'),
  loop: z.boolean().default(false).describe('Whether the video should loop (end of video is blended with the beginning)'),
});
export type ImageToVideoInput = z.output<typeof ImageToVideoInput>;

/** `fal-ai/luma-dream-machine/ray-2/reframe` (and ray-2-flash): ReframeVideoRequest. */
export const ReframeVideoInput = z.object({
  video_url: z.string().describe('URL of the input video to reframe'),
  aspect_ratio: ReframeAspectRatioEnum,
  image_url: optionalUrl('Optional URL of the first frame image for reframing'),
  grid_position_x: optionalInt('X position of the grid for reframing'),
  grid_position_y: optionalInt('Y position of the grid for reframing'),
  prompt: optionalText('Optional prompt for reframing'),
  x_end: optionalInt('End X coordinate for reframing'),
  x_start: optionalInt('Start X coordinate for reframing'),
  y_end: optionalInt('End Y coordinate for reframing'),
  y_start: optionalInt('Start Y coordinate for reframing'),
});
export type ReframeVideoInput = z.output<typeof ReframeVideoInput>;

/**
 * `fal-ai/luma-dream-machine/ray-2/modify` (and ray-2-flash): ModifyVideoRequest. The seed page
 * marks `image_url` required; fal's client types and Luma's API make it optional, and without it
 * the prompt steers the change, so it is optional here (every request the page allows is accepted).
 */
export const ModifyVideoInput = z.object({
  video_url: z.string().describe('URL of the input video to modify'),
  image_url: optionalUrl('URL of the first frame image for modification'),
  prompt: optionalText('Instruction for modifying the video'),
  mode: ModeEnum.default('flex_1'),
});
export type ModifyVideoInput = z.output<typeof ModifyVideoInput>;

/** The seed page's main input: `fal-ai/luma-dream-machine/ray-2/image-to-video`. */
export const Ray2ImageToVideoInput = z.object({
  prompt: z.string(),
  image_url: optionalUrl('Initial image to start the video from. Can be used together with end_image_url.'),
  end_image_url: optionalUrl('Final image to end the video with. Can be used together with image_url.'),
  aspect_ratio: AspectRatioEnum.default('16:9'),
  loop: z.boolean().default(false).describe('Whether the video should loop (end of video is blended with the beginning)'),
  resolution: ResolutionEnum.default('540p'),
  duration: z.enum(['5s']).default('5s').describe('The duration of the generated video'),
});
export type Ray2ImageToVideoInput = z.output<typeof Ray2ImageToVideoInput>;

export const File = z.object({
  url: z.string().describe('The URL where the file can be downloaded from.'),
  content_type: z.string().optional().describe('The mime type of the file.'),
  file_name: z.string().optional().describe('The name of the file. It will be auto-generated if not provided.'),
  file_size: z.number().int().optional().describe('The size of the file in bytes.'),
  file_data: z.string().optional().describe('File data'),
});
export type File = z.output<typeof File>;

export const VideoOutput = z.object({
  video: File.describe('URL of the generated video'),
});
export type VideoOutput = z.output<typeof VideoOutput>;
