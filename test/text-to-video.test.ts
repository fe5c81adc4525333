// Every text-to-video endpoint through the real @fal-ai/client against a real server: each value
// of each enum at least once (aspect ratio × resolution × duration, covered, not crossed: most at
// 540p, one 1080p and one 9 s per endpoint), plus image-to-video with neither image, which is
// text-to-video too. Each answer must be an MP4 of the exact size, frame count and duration.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError, fal } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { videoSize } from '../src/engine/sizes.ts';
import type { AspectRatio, Resolution } from '../src/engine/sizes.ts';
import { ffprobe } from './support/media.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { assertVideo } from './support/video.ts';

interface VideoResult {
  video: { url: string; content_type: string; file_name: string; file_size: number };
}

interface Case {
  aspect_ratio?: AspectRatio;
  resolution?: Resolution;
  duration?: '5s' | '9s';
  loop?: boolean;
  prompt: string;
}

const RAY2 = 'fal-ai/luma-dream-machine/ray-2';
const FLASH = 'fal-ai/luma-dream-machine/ray-2-flash';
const V15 = 'fal-ai/luma-dream-machine';

// Each aspect ratio, resolution and duration at least once per Ray 2 endpoint; the defaults are
// exercised by leaving the fields out.
const RAY2_CASES: Case[] = [
  { prompt: 'sunset over the ocean' },
  { prompt: 'snowy night in the city', aspect_ratio: '9:16', resolution: '720p' },
  { prompt: 'neon rain', aspect_ratio: '4:3', duration: '9s' },
  { prompt: 'misty forest at dawn, slow push in', aspect_ratio: '3:4', loop: true },
  { prompt: 'desert dunes under the stars, truck left', aspect_ratio: '21:9', resolution: '540p', duration: '5s' },
  { prompt: 'a campfire by the lake', aspect_ratio: '9:21' },
  { prompt: 'epic mountains at sunset', aspect_ratio: '16:9', resolution: '1080p' },
];
const FLASH_CASES: Case[] = [
  { prompt: 'stormy sea', aspect_ratio: '9:16', duration: '9s' },
  { prompt: 'cherry blossom hills in pink', aspect_ratio: '4:3', resolution: '720p' },
  { prompt: 'rainy city street at night, handheld', aspect_ratio: '3:4' },
  { prompt: 'snowy mountains, orbit right', aspect_ratio: '21:9', loop: true },
  { prompt: 'fireflies over a quiet pond', aspect_ratio: '9:21', resolution: '540p', duration: '5s' },
  { prompt: 'cyberpunk skyline', aspect_ratio: '16:9', resolution: '1080p' },
];
const V15_CASES: Case[] = (['16:9', '9:16', '4:3', '3:4', '21:9', '9:21'] as const).map((aspect_ratio, i) => ({
  prompt: ['a lighthouse at dusk', 'pine forest in fog', 'golden wheat fields at noon', 'a volcano at night', 'snow falling on a frozen lake', 'purple dreamy sky'][i]!,
  aspect_ratio,
  loop: i === 2,
}));

let server: TestServer;

before(async () => {
  server = await startTestServer();
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
});
after(() => server.close());

/** Submits through the client and checks the MP4 against the input's size and length. */
async function check(endpoint: string, c: Case): Promise<string[]> {
  const logs: string[] = [];
  const result = await fal.subscribe(endpoint, {
    input: c,
    logs: true,
    onQueueUpdate: (u) => {
      if (u.status === 'IN_PROGRESS' || u.status === 'COMPLETED') for (const l of u.logs ?? []) logs.push(l.message);
    },
  });
  const video = (result.data as VideoResult).video;
  assert.equal(video.content_type, 'video/mp4');
  const { width, height } = videoSize(c.aspect_ratio ?? '16:9', c.resolution ?? '540p');
  const frames = c.duration === '9s' ? 216 : 120;
  const file = await assertVideo(video.url, { width, height, frames });
  const p = await ffprobe(file);
  assert.ok(Math.abs(p.durationSec - frames / 24) < 0.05, `${endpoint} ${JSON.stringify(c)}: ${p.durationSec} s`);
  return logs;
}

const label = (c: Case): string =>
  [c.aspect_ratio ?? '16:9 (default)', c.resolution ?? '540p', c.duration ?? '5s', c.loop ? 'loop' : ''].filter(Boolean).join(' ');

describe(`${RAY2} (text to video)`, () => {
  for (const c of RAY2_CASES) test(label(c), async () => void (await check(RAY2, c)));

  test('the logs say what the prompt was read as', async () => {
    const logs = await check(RAY2, { prompt: 'neon rain', aspect_ratio: '16:9' });
    assert.ok(logs.includes('scene: night, city, rain, neon, lights; camera default drift'), logs.join('\n'));
  });
});

describe(`${FLASH} (text to video, draft)`, () => {
  for (const c of FLASH_CASES) test(label(c), async () => {
    const logs = await check(FLASH, c);
    assert.ok(logs.some((m) => m.includes('draft')), logs.join('\n'));
  });
});

describe(`${V15} (Dream Machine v1.5: 540p, 5 s)`, () => {
  for (const c of V15_CASES) test(label(c), async () => void (await check(V15, c)));
});

describe('image-to-video with neither image is text-to-video', () => {
  for (const endpoint of [`${RAY2}/image-to-video`, `${FLASH}/image-to-video`]) {
    test(endpoint, async () => {
      const logs = await check(endpoint, { prompt: 'sunset over the ocean, pan left', aspect_ratio: '9:16' });
      assert.ok(logs.some((m) => m.startsWith('scene: sunset')), logs.join('\n'));
    });
  }
});

/** ffmpeg processes started by this test process (the in-process worker's encoders). */
const ffmpegChildren = (): number => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg']).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

test('a running text-to-video render shows a preview; cancelling it stops ffmpeg and leaves no scratch file', async () => {
  const { request_id: requestId } = await fal.queue.submit(RAY2, { input: { prompt: 'neon rain', resolution: '1080p', duration: '9s' } });
  for (;;) {
    const s = (await fal.queue.status(RAY2, { requestId })) as { status: string; progress?: { preview_url: string | null } };
    if (s.status === 'IN_PROGRESS' && s.progress?.preview_url) {
      const frame = await fetch(s.progress.preview_url);
      assert.equal(frame.status, 200);
      assert.equal(frame.headers.get('content-type'), 'image/jpeg');
      break;
    }
    assert.notEqual(s.status, 'COMPLETED', 'finished before it could be cancelled');
    await new Promise((r) => setTimeout(r, 50));
  }
  await fal.queue.cancel(RAY2, { requestId });
  await fal.queue.subscribeToStatus(RAY2, { requestId, pollInterval: 50 });
  await assert.rejects(fal.queue.result(RAY2, { requestId }), (err: unknown) => err instanceof ApiError && err.status === 499);
  const scratch = path.join(server.dataDir, 'tmp');
  const leftovers = (): string[] => fs.readdirSync(scratch, { recursive: true }).map(String).filter((p) => p.includes(path.sep));
  for (let i = 0; i < 100 && (ffmpegChildren() > 0 || leftovers().length > 0); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(ffmpegChildren(), 0, 'no ffmpeg left running');
  assert.deepEqual(leftovers(), []);
});
