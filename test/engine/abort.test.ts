// Cancellation and a missing ffmpeg: the failure paths a queue server hits in production.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFfmpeg, FfmpegMissingError } from '../../src/engine/ffmpeg.ts';
import { renderImageToVideo } from '../../src/engine/render.ts';
import { makeTestImage } from '../support/media.ts';
import { childProcesses } from '../support/children.ts';

let dir = '';
let image = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-abort-'));
  image = join(dir, 'in.png');
  await makeTestImage(image, { width: 1600, height: 900, seed: 3 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('aborting mid-render kills ffmpeg, leaves no file and rejects with the reason', async () => {
  const out = join(dir, 'mid');
  await mkdir(out);
  const controller = new AbortController();
  const reason = new Error('cancelled by test');
  let abortedAt = 0;
  let ffmpegSeen: number[] = [];
  const run = renderImageToVideo({
    startImage: image,
    width: 1920,
    height: 1080,
    frames: 240,
    fps: 24,
    loop: false,
    outPath: join(out, 'video.mp4'),
    signal: controller.signal,
    onProgress: (fraction, stage) => {
      if (stage === 'render' && fraction > 0.1 && !abortedAt) {
        abortedAt = -1;
        void childProcesses('ffmpeg').then((pids) => {
          ffmpegSeen = pids;
          abortedAt = performance.now();
          controller.abort(reason);
        });
      }
    },
  });
  await assert.rejects(run, (err) => err === reason);
  console.log(`rejected ${Math.round(performance.now() - abortedAt)} ms after the abort was requested`);
  assert.equal(ffmpegSeen.length, 1, 'ffmpeg was running when we aborted');
  assert.deepEqual(await childProcesses('ffmpeg'), [], 'no ffmpeg left');
  assert.deepEqual(await readdir(out), [], 'no output or partial file');
});

test('a signal aborted before the start rejects at once and spawns nothing', async () => {
  const out = join(dir, 'early');
  await mkdir(out);
  const run = renderImageToVideo({
    startImage: image, width: 960, height: 540, frames: 24, fps: 24, loop: false,
    outPath: join(out, 'video.mp4'), signal: AbortSignal.abort(),
  });
  await assert.rejects(run, { name: 'AbortError' });
  assert.deepEqual(await readdir(out), []);
});

test('aborting while ffmpeg flushes the last frames still cleans up', async () => {
  const out = join(dir, 'late');
  await mkdir(out);
  const controller = new AbortController();
  const run = renderImageToVideo({
    startImage: image, width: 1920, height: 1080, frames: 48, fps: 24, loop: false,
    outPath: join(out, 'video.mp4'), signal: controller.signal,
    onProgress: (_f, stage) => {
      if (stage === 'finalize') controller.abort();
    },
  });
  await assert.rejects(run, { name: 'AbortError' });
  assert.deepEqual(await childProcesses('ffmpeg'), []);
  assert.deepEqual(await readdir(out), []);
});

test('checkFfmpeg names the fix when the binary is missing', async () => {
  await assert.rejects(checkFfmpeg('/nonexistent/ffmpeg'), (err: unknown) => {
    assert.ok(err instanceof FfmpegMissingError);
    assert.match(err.message, /apt-get install ffmpeg/);
    assert.match(err.message, /\/nonexistent\/ffmpeg/);
    return true;
  });
  const { version } = await checkFfmpeg();
  assert.match(version, /^\d/);
});

test('rendering with a missing ffmpeg rejects with FfmpegMissingError and leaves no file', async () => {
  const out = join(dir, 'missing');
  await mkdir(out);
  await assert.rejects(
    renderImageToVideo({
      startImage: image, width: 960, height: 540, frames: 24, fps: 24, loop: false,
      outPath: join(out, 'video.mp4'), ffmpegPath: '/nonexistent/ffmpeg',
    }),
    FfmpegMissingError,
  );
  assert.deepEqual(await readdir(out), []);
});
