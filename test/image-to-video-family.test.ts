// Image-to-video on the endpoints beside Ray 2's (whose 18 sizes test/sizes.test.ts sweeps):
// Ray 2 Flash's and Dream Machine v1.5's, every value of their enums through the real client.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fal } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { videoSize, type AspectRatio, type Resolution } from '../src/engine/sizes.ts';
import { makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { assertVideo, lumaPsnrAgainst } from './support/video.ts';

const ASPECTS = ['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'] as const satisfies readonly AspectRatio[];
const RESOLUTIONS: Resolution[] = ['540p', '720p', '1080p'];

let server: TestServer;
let image: string;
let imageUrl: string;

before(async () => {
  server = await startTestServer({ workers: 2 });
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
  image = path.join(tempDir(), 'start.png');
  await makeTestImage(image, { width: 1200, height: 900, seed: 21 });
  imageUrl = await fal.storage.upload(new File([fs.readFileSync(image)], 'start.png', { type: 'image/png' }));
});
after(() => server.close());

async function generate(endpoint: string, input: Record<string, unknown>, aspect: AspectRatio, resolution: Resolution): Promise<string> {
  const result = await fal.subscribe(endpoint, { input: { prompt: 'slow push in', image_url: imageUrl, ...input } });
  const data = result.data as { video: { url: string } };
  const { width, height } = videoSize(aspect, resolution);
  const file = await assertVideo(data.video.url, { width, height, frames: 120 });
  // The first frame is the image, whatever the endpoint.
  assert.ok((await lumaPsnrAgainst(file, 0, image, width, height)) >= 30, `${endpoint} ${aspect} ${resolution}`);
  return file;
}

test('ray-2-flash/image-to-video: every aspect ratio, every resolution, loop both ways', { timeout: 600_000 }, async () => {
  await Promise.all(ASPECTS.map((aspect_ratio, i) => {
    const resolution = RESOLUTIONS[i % RESOLUTIONS.length] ?? '540p';
    return generate('fal-ai/luma-dream-machine/ray-2-flash/image-to-video', { aspect_ratio, resolution, loop: i % 2 === 0 }, aspect_ratio, resolution);
  }));
});

test('Dream Machine v1.5 image-to-video: every aspect ratio at its one size class, 540p and 5 s', { timeout: 600_000 }, async () => {
  await Promise.all(ASPECTS.map((aspect_ratio, i) =>
    generate('fal-ai/luma-dream-machine/image-to-video', { aspect_ratio, loop: i % 2 === 1 }, aspect_ratio, '540p')));
});
