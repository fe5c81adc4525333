// The modify endpoints end to end: the real @fal-ai/client against a real server on loopback, a
// real source video, every mode on both endpoints. Measured: size, frame rate, frame count and
// duration; the first frame against the edited one; the edit's colour change in the last frame;
// the distance from the source growing from adhere_1 to reimagine_3; the prompt's colour words.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fal, ValidationError } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { MODIFY_MODES } from '../src/engine/modify/modes.ts';
import { coverFit } from '../src/engine/source.ts';
import { rgbToYuv } from '../src/engine/yuv.ts';
import { ffprobe, psnr } from './support/media.ts';
import { chromaSpread, decodeAll, extractFramePng, makeEditedFrame, makeSourceVideo, makeUndecodableVideo, mean, meanAbsDiff } from './support/modify.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { fetchToFile } from './support/video.ts';

const ENDPOINTS = ['fal-ai/luma-dream-machine/ray-2/modify', 'fal-ai/luma-dream-machine/ray-2-flash/modify'] as const;
const SRC = { width: 432, height: 240, fps: 25, seconds: 1.6 };
const FRAMES = 40;

type Planes = { y: Uint8Array; u: Uint8Array; v: Uint8Array };
interface VideoResult {
  video: { url: string; content_type: string; file_name: string };
}

let server: TestServer;
let dir: string;
let videoUrl: string;
let editedUrl: string;
let source: Planes[];
let edited: Planes;
/** The edit's colour change on the first frame: mean (Cr − Cb) of the edit minus the source's. */
let editShift: number;

const warmth = (p: Planes): number => mean(p.v) - mean(p.u);

/** Luma indices inside the disc makeEditedFrame paints (centre 18 %, 20 %; radius 12 % of the height), a little inset. */
const PATCH: number[] = [];
for (let y = 0; y < SRC.height; y++) {
  for (let x = 0; x < SRC.width; x++) {
    if (Math.hypot(x - 0.18 * SRC.width, y - 0.2 * SRC.height) < 0.1 * SRC.height) PATCH.push(y * SRC.width + x);
  }
}

/** Pearson correlation of two planes over some indices. */
function correlation(a: Uint8Array, b: Uint8Array, at: readonly number[]): number {
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (const i of at) {
    const x = a[i]!, y = b[i]!;
    sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  const n = at.length;
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt(Math.max(1e-9, (saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2)));
}

/** Mean |ΔY| + |ΔCb| + |ΔCr| from the source, averaged over frames. */
function distance(frames: Planes[]): number {
  let d = 0;
  for (let i = 0; i < frames.length; i++) {
    const a = frames[i]!, b = source[i]!;
    d += meanAbsDiff(a.y, b.y) + meanAbsDiff(a.u, b.u) + meanAbsDiff(a.v, b.v);
  }
  return d / frames.length;
}

async function upload(file: string, type: string): Promise<string> {
  return fal.storage.upload(new File([fs.readFileSync(file)], path.basename(file), { type }));
}

async function modify(endpoint: string, input: Record<string, unknown>, logs?: string[]): Promise<string> {
  const result = await fal.subscribe(endpoint, {
    input,
    logs: !!logs,
    onQueueUpdate: (u) => {
      if (logs && u.status !== 'IN_QUEUE') logs.push(...u.logs.map((l) => l.message));
    },
  });
  const video = (result.data as VideoResult).video;
  assert.equal(video.content_type, 'video/mp4');
  return fetchToFile(video.url, dir);
}

async function assertShape(file: string, want: { width: number; height: number; fps: number; frames: number }): Promise<void> {
  const p = await ffprobe(file);
  assert.equal(p.codec, 'h264');
  assert.equal(p.pixFmt, 'yuv420p');
  assert.equal(p.width, want.width);
  assert.equal(p.height, want.height);
  assert.equal(p.fps, want.fps);
  assert.equal(p.frames, want.frames);
  assert.ok(Math.abs(p.durationSec - want.frames / want.fps) < 0.05, `duration ${p.durationSec}`);
}

before(async () => {
  server = await startTestServer();
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
  dir = tempDir('reelhouse-modify-');
  const video = await makeSourceVideo(dir, 'source', SRC);
  const editedPng = await makeEditedFrame(await extractFramePng(video, 0, path.join(dir, 'first.png')), path.join(dir, 'edited.png'));
  source = await decodeAll(video, SRC.width, SRC.height);
  assert.equal(source.length, FRAMES);
  const e = rgbToYuv({ data: await coverFit(editedPng, SRC.width, SRC.height), width: SRC.width, height: SRC.height });
  edited = { y: e.y.data, u: e.u.data, v: e.v.data };
  editShift = warmth(edited) - warmth(source[0]!);
  assert.ok(editShift > 20, `the test edit is a strong warm grade (${editShift})`);
  videoUrl = await upload(video, 'video/mp4');
  editedUrl = await upload(editedPng, 'image/png');
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const endpoint of ENDPOINTS) {
  describe(endpoint, () => {
    const distances: number[] = [];
    for (const mode of MODIFY_MODES) {
      test(`${mode}, with an edited first frame`, async () => {
        const file = await modify(endpoint, { video_url: videoUrl, image_url: editedUrl, mode });
        await assertShape(file, { ...SRC, frames: FRAMES });
        const out = await decodeAll(file, SRC.width, SRC.height);
        const first = out[0]!, last = out.at(-1)!;
        const firstDb = psnr(first.y, edited.y);
        // Under the painted disc the source has texture and the edit none.
        const texture = correlation(first.y, source[0]!.y, PATCH);
        if (mode.startsWith('adhere')) {
          // Adhere keeps the source's own pixels (texture and all), moved part of the way to the edit's colours.
          assert.ok(texture > 0.9, `${mode}: the source's texture under the patch, correlation ${texture.toFixed(2)}`);
          assert.ok(meanAbsDiff(first.y, source[0]!.y) < meanAbsDiff(edited.y, source[0]!.y), `${mode}: closer to the source than the edit is`);
        } else {
          assert.ok(firstDb >= 30, `${mode}: first frame luma PSNR ${firstDb.toFixed(1)} dB < 30`);
          assert.ok(texture < 0.5, `${mode}: the patch replaces the texture, correlation ${texture.toFixed(2)}`);
        }
        const lastShift = warmth(last) - warmth(source.at(-1)!);
        assert.ok(lastShift > 0.35 * editShift, `${mode}: last frame warmer by ${lastShift.toFixed(1)} (edit: ${editShift.toFixed(1)})`);
        distances.push(distance(out));
      });
    }
    test('the distance from the source grows from adhere_1 to reimagine_3', () => {
      assert.equal(distances.length, MODIFY_MODES.length);
      for (let i = 1; i < distances.length; i++) {
        assert.ok(distances[i]! > distances[i - 1]!, `${MODIFY_MODES[i]} ${distances[i]!.toFixed(2)} ≤ ${MODIFY_MODES[i - 1]} ${distances[i - 1]!.toFixed(2)}`);
      }
    });
  });
}

describe('without an edited frame, the prompt steers', () => {
  test('"warm" raises red against blue', async () => {
    const out = await decodeAll(await modify(ENDPOINTS[0], { video_url: videoUrl, prompt: 'make it warm and cozy' }), SRC.width, SRC.height);
    assert.ok(warmth(out[5]!) - warmth(source[5]!) > 4, `${warmth(out[5]!)} vs ${warmth(source[5]!)}`);
  });

  test('"black and white" drops the saturation', async () => {
    const out = await decodeAll(await modify(ENDPOINTS[1], { video_url: videoUrl, prompt: 'Black and white film noir', mode: 'flex_3' }), SRC.width, SRC.height);
    const before = chromaSpread(source[20]!.u, source[20]!.v);
    const now = chromaSpread(out[20]!.u, out[20]!.v);
    assert.ok(now < 0.1 * before, `chroma spread ${now.toFixed(1)} vs ${before.toFixed(1)}`);
  });

  test('no known word: a gentle default grade, said in the logs; a portrait 30 fps source keeps its shape', async () => {
    const portrait = await makeSourceVideo(dir, 'portrait', { width: 240, height: 432, fps: 30, seconds: 1 });
    const logs: string[] = [];
    const file = await modify(ENDPOINTS[0], { video_url: await upload(portrait, 'video/mp4'), prompt: 'a quiet afternoon', mode: 'adhere_1' }, logs);
    assert.ok(logs.some((m) => m.includes('gentle default grade')), logs.join('\n'));
    await assertShape(file, { width: 240, height: 432, fps: 30, frames: 30 });
  });
});

describe('bad input answers 422 naming the field', () => {
  const rejectsOn = async (input: Record<string, unknown>, field: string): Promise<void> => {
    await assert.rejects(fal.queue.submit(ENDPOINTS[0], { input }), (err: unknown) => {
      assert.ok(err instanceof ValidationError, String(err));
      assert.equal(err.status, 422);
      assert.ok(err.getFieldErrors(field).length > 0, JSON.stringify(err.fieldErrors));
      return true;
    });
  };

  test('missing video_url', () => rejectsOn({ image_url: editedUrl, mode: 'flex_1' }, 'video_url'));
  test('an unknown mode', () => rejectsOn({ video_url: videoUrl, mode: 'reimagine_4' }, 'mode'));
  test('a video_url that is not a video', () => rejectsOn({ video_url: editedUrl }, 'video_url'));

  test('a video whose headers pass but whose frames do not decode: the result answers 422 on video_url', async () => {
    const bad = await makeUndecodableVideo(path.join(dir, 'source.mp4'), path.join(dir, 'undecodable.mp4'));
    await assert.rejects(fal.subscribe(ENDPOINTS[1], { input: { video_url: await upload(bad, 'video/mp4'), mode: 'flex_1' } }), (err: unknown) => {
      assert.ok(err instanceof ValidationError, String(err));
      assert.deepEqual(err.fieldErrors[0]?.loc, ['body', 'video_url']);
      return true;
    });
  });
});
