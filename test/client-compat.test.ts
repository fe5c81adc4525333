// The seed page's three snippets, run by the real @fal-ai/client against a real server on
// loopback, changed only by `fal.config` — once per redirection mode.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fal, type QueueStatus } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { assertVideo } from './support/video.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const PROMPT = 'A stylish woman walks down a Tokyo street filled with warm glowing neon and animated city signage.';

interface VideoResult {
  video: { url: string; content_type: string; file_name: string; file_size: number };
}

let server: TestServer;
let image: string;
let endImage: string;
let dataUri: string;

before(async () => {
  server = await startTestServer();
  const dir = tempDir();
  image = path.join(dir, 'start.png');
  endImage = path.join(dir, 'end.jpg');
  await makeTestImage(image, { width: 1024, height: 768, seed: 3 });
  await makeTestImage(endImage, { width: 900, height: 900, seed: 9, format: 'jpeg' });
  dataUri = `data:image/png;base64,${fs.readFileSync(image).toString('base64')}`;
});
after(() => server.close());

function assertFile(v: VideoResult['video']): void {
  assert.equal(v.content_type, 'video/mp4');
  assert.equal(v.file_name, 'output.mp4');
  assert.ok(v.file_size > 10_000, `file_size ${v.file_size}`);
  assert.match(v.url, /^http:\/\/127\.0\.0\.1:\d+\/files\/[\w-]{22,}\/output\.mp4$/);
}

for (const mode of ['rewrite', 'proxy'] as const) {
  describe(`the seed's snippets, ${mode} mode`, () => {
    before(() => fal.config(reelhouseConfig({ url: server.url, credentials: server.key, mode })));

    test('fal.subscribe with logs and onQueueUpdate', async () => {
      const seen: string[] = [];
      const messages: string[] = [];
      const result = await fal.subscribe(ENDPOINT, {
        input: { prompt: PROMPT, image_url: dataUri },
        logs: true,
        onQueueUpdate: (update) => {
          seen.push(update.status);
          if (update.status === 'IN_PROGRESS') update.logs.map((log) => log.message).forEach((m) => messages.push(m));
        },
      });
      const data = result.data as VideoResult;
      assert.match(result.requestId, /^[0-9a-f-]{36}$/);
      assert.equal(seen.at(-1), 'COMPLETED');
      assert.ok(messages.some((m) => m.includes('Rendering 120 frames at 960x540')), messages.join('\n'));
      assertFile(data.video);
      const file = fs.statSync(await assertVideo(data.video.url, { width: 960, height: 540, start: image }));
      assert.equal(file.size, data.video.file_size);
    });

    test('queue.submit → queue.status with logs → queue.result', async () => {
      const { request_id } = await fal.queue.submit(ENDPOINT, {
        input: { prompt: PROMPT, image_url: dataUri, end_image_url: `data:image/jpeg;base64,${fs.readFileSync(endImage).toString('base64')}`, aspect_ratio: '9:16' },
      });
      let status: QueueStatus;
      for (;;) {
        status = await fal.queue.status(ENDPOINT, { requestId: request_id, logs: true });
        assert.equal(status.request_id, request_id);
        if (status.status === 'COMPLETED') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(status.logs.length > 0, 'logs on COMPLETED');
      for (const l of status.logs) {
        assert.equal(l.source, 'USER');
        assert.ok(!Number.isNaN(Date.parse(l.timestamp)));
        assert.ok(['INFO', 'WARN', 'ERROR', 'DEBUG', 'STDOUT', 'STDERR'].includes(l.level));
      }
      const metrics = (status as { metrics?: { inference_time: number } }).metrics;
      assert.ok(metrics && metrics.inference_time > 0, `metrics ${JSON.stringify(metrics)}`);
      const result = await fal.queue.result(ENDPOINT, { requestId: request_id });
      assert.equal(result.requestId, request_id);
      const data = result.data as VideoResult;
      assertFile(data.video);
      await assertVideo(data.video.url, { width: 540, height: 960, start: image, end: endImage });
    });

    test('fal.storage.upload, then the file URL as image_url', async () => {
      const file = new File([fs.readFileSync(image)], 'start.png', { type: 'image/png' });
      const url = await fal.storage.upload(file);
      assert.match(url, /\/files\/[\w-]{22,}\/start\.png$/);
      const plain = await fetch(url); // a capability URL: no key needed
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await plain.arrayBuffer()), fs.readFileSync(image));
      const result = await fal.subscribe(ENDPOINT, { input: { prompt: PROMPT, image_url: url, resolution: '720p', aspect_ratio: '4:3' } });
      await assertVideo((result.data as VideoResult).video.url, { width: 960, height: 720, start: image });
    });

    test('a File passed directly as image_url is uploaded by the client', async () => {
      const file = new File([fs.readFileSync(endImage)], 'end.jpg', { type: 'image/jpeg' });
      const result = await fal.subscribe(ENDPOINT, { input: { prompt: PROMPT, image_url: file, aspect_ratio: '21:9', loop: true } });
      const video = (result.data as VideoResult).video;
      await assertVideo(video.url, { width: 1260, height: 540, start: endImage });
    });
  });
}
