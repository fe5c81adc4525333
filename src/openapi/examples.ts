// Examples shown in each endpoint's OpenAPI document and docs, by endpoint id. Ray 2's are the
// seed page's own (spec/ray2-image-to-video.txt, "5. Schema"), copied here word for word; a test
// checks each validates against its endpoint's input schema. An endpoint without an entry simply
// has no example.
export interface EndpointExamples {
  input: Record<string, unknown>;
  output?: unknown;
}

export const EXAMPLES: Readonly<Record<string, EndpointExamples>> = {
  'fal-ai/luma-dream-machine/ray-2/image-to-video': {
    input: {
      prompt: 'A stylish woman walks down a Tokyo street filled with warm glowing neon and animated city signage.',
      image_url: 'https://fal.media/files/elephant/8kkhB12hEZI2kkbU8pZPA_test.jpeg',
      aspect_ratio: '16:9',
      resolution: '540p',
      duration: '5s',
    },
    output: {
      video: { url: 'https://v3.fal.media/files/zebra/9aDde3Te2kuJYHdR0Kz8R_output.mp4' },
    },
  },
  'reelhouse/noop': {
    input: { sleep_ms: 250, steps: 5 },
    output: { ok: true, request_id: '764cabcf-b745-4b3e-ae38-1200304cf45b' },
  },
};
