// Every aspect ratio × resolution of the size table, through the real client: exact size,
// 24 fps, 120 frames, h264 High yuv420p, first frame on the start image, last on the end image.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fal } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { videoSize, type AspectRatio, type Resolution } from '../src/engine/sizes.ts';
import { makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { assertVideo } from './support/video.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const ASPECTS = ['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'] as const satisfies readonly AspectRatio[];
const RESOLUTIONS: Resolution[] = ['540p', '720p', '1080p'];

let server: TestServer;
let start: string;
let end: string;

before(async () => {
  server = await startTestServer({ workers: 2 });
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
  const dir = tempDir();
  start = path.join(dir, 'start.png');
  end = path.join(dir, 'end.png');
  await makeTestImage(start, { width: 2000, height: 1500, seed: 11 });
  await makeTestImage(end, { width: 1500, height: 2000, seed: 12 });
});
after(() => server.close());

test('6 aspect ratios × 3 resolutions', { timeout: 600_000 }, async () => {
  const [startUrl, endUrl] = await Promise.all([
    fal.storage.upload(new File([fs.readFileSync(start)], 'start.png', { type: 'image/png' })),
    fal.storage.upload(new File([fs.readFileSync(end)], 'end.png', { type: 'image/png' })),
  ]);
  const jobs = ASPECTS.flatMap((aspect_ratio) => RESOLUTIONS.map((resolution) => ({ aspect_ratio, resolution })));
  const submitted = await Promise.all(
    jobs.map(async (job) => {
      const { request_id } = await fal.queue.submit(ENDPOINT, {
        input: { prompt: 'a slow push in', image_url: startUrl, end_image_url: endUrl, ...job },
      });
      return { ...job, request_id };
    }),
  );
  for (const job of submitted) {
    await fal.queue.subscribeToStatus(ENDPOINT, { requestId: job.request_id, pollInterval: 250 });
    const { data } = await fal.queue.result(ENDPOINT, { requestId: job.request_id });
    const { width, height } = videoSize(job.aspect_ratio, job.resolution);
    await assertVideo((data).video.url, { width, height, start, end });
  }
  assert.equal(submitted.length, 18);
});
