// The Ray 2 family's input and output schemas, written once. Field names, enums, defaults and
// descriptions are fal's, word for word; validation, types and JSON Schema all come from here.
import { z } from 'zod';

export const AspectRatioEnum = z
  .enum(['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'])
  .describe('The aspect ratio of the generated video');

export const ResolutionEnum = z
  .enum(['540p', '720p', '1080p'])
  .describe('The resolution of the generated video (720p costs 2x more, 1080p costs 4x more)');

const optionalUrl = (description: string) => z.string().nullish().transform((v) => v ?? undefined).describe(description);

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
