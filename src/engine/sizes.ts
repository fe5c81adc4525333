// Output sizes of the Luma Ray 2 endpoints. The table is explicit rather than computed: every
// entry has even dimensions (yuv420p needs them) and the short side equals the resolution's
// line count, which is what fal.ai's API returns; a formula would hide that contract.

export const ASPECT_RATIOS = ['16:9', '9:16', '4:3', '3:4', '21:9', '9:21', '1:1'] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const RESOLUTIONS = ['540p', '720p', '1080p'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

type Size = { width: number; height: number };

const TABLE: Record<AspectRatio, Record<Resolution, readonly [number, number]>> = {
  '16:9': { '540p': [960, 540], '720p': [1280, 720], '1080p': [1920, 1080] },
  '9:16': { '540p': [540, 960], '720p': [720, 1280], '1080p': [1080, 1920] },
  '4:3': { '540p': [720, 540], '720p': [960, 720], '1080p': [1440, 1080] },
  '3:4': { '540p': [540, 720], '720p': [720, 960], '1080p': [1080, 1440] },
  '21:9': { '540p': [1260, 540], '720p': [1680, 720], '1080p': [2520, 1080] },
  '9:21': { '540p': [540, 1260], '720p': [720, 1680], '1080p': [1080, 2520] },
  '1:1': { '540p': [540, 540], '720p': [720, 720], '1080p': [1080, 1080] },
};

/**
 * Pixel size of a video for an aspect ratio and resolution.
 *
 * @example
 * videoSize('9:16', '720p'); // { width: 720, height: 1280 }
 */
export function videoSize(aspect: AspectRatio, resolution: Resolution): Size {
  const [width, height] = TABLE[aspect][resolution];
  return { width, height };
}
