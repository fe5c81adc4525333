import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverFit, renderImageToVideo } from '../../src/engine/render.ts';
import type { RenderImageToVideoOptions } from '../../src/engine/render.ts';
import { videoSize } from '../../src/engine/sizes.ts';
import type { AspectRatio, Resolution } from '../../src/engine/sizes.ts';
import { extractLuma, ffprobe, makeTestImage, psnr, rgbToLuma709 } from '../support/media.ts';
import { decodeLuma, meanAbsDiff, median } from './measure.ts';

let dir = '';
let startImage = '';
let endImage = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-render-'));
  startImage = join(dir, 'start.png');
  endImage = join(dir, 'end.jpg');
  // 4:3 sources, so every output aspect exercises the cover crop.
  await makeTestImage(startImage, { width: 1600, height: 1200, seed: 1 });
  await makeTestImage(endImage, { width: 1600, height: 1200, seed: 2, format: 'jpeg' });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(name: string, opts: Partial<RenderImageToVideoOptions> & { width: number; height: number }) {
  const outPath = join(dir, `${name}.mp4`);
  const result = await renderImageToVideo({ frames: 120, fps: 24, loop: false, outPath, ...opts });
  return { outPath, result };
}

/** Luma PSNR of a decoded frame against the cover-fitted reference of an image. */
async function framePsnr(outPath: string, frame: number | 'last', image: string, width: number, height: number) {
  const reference = rgbToLuma709(await coverFit(image, width, height), width, height);
  return psnr(await extractLuma(outPath, frame, width, height), reference);
}

const sizes: [AspectRatio, Resolution][] = [['16:9', '540p'], ['9:21', '540p'], ['1:1', '1080p']];
for (const [aspect, resolution] of sizes) {
  void test(`${aspect} ${resolution}: H.264 High yuv420p BT.709, exact size and frame count, starts on the image`, async () => {
    const { width, height } = videoSize(aspect, resolution);
    const { outPath, result } = await render(`size-${aspect.replace(':', 'x')}-${resolution}`, { startImage, width, height });
    const probe = await ffprobe(outPath);
    assert.equal(probe.codec, 'h264');
    assert.equal(probe.profile, 'High');
    assert.equal(probe.pixFmt, 'yuv420p');
    assert.equal(probe.width, width);
    assert.equal(probe.height, height);
    assert.equal(probe.fps, 24);
    assert.equal(probe.frames, 120);
    assert.equal(probe.colorSpace, 'bt709');
    assert.equal(probe.colorPrimaries, 'bt709');
    assert.equal(probe.colorTransfer, 'bt709');
    assert.equal(probe.colorRange, 'tv');
    assert.ok(Math.abs(probe.durationSec - 5) < 0.05, `duration ${probe.durationSec}`);
    assert.deepEqual({ ...result, bytes: 0 }, { frames: 120, width, height, bytes: 0 });
    assert.ok(result.bytes > 10_000);
    const first = await framePsnr(outPath, 0, startImage, width, height);
    console.log(`${aspect} ${resolution} first frame PSNR ${first.toFixed(1)} dB`);
    assert.ok(first >= 38, `first frame PSNR ${first}`);
    // The push-in really moves: the last frame is not the first.
    assert.ok((await framePsnr(outPath, 'last', startImage, width, height)) < 25);
  });
}

test('start and end image: starts on the start, lands on the end; progress and logs per stage', async () => {
  const { width, height } = videoSize('16:9', '540p');
  const progress: [number, string][] = [];
  const logs: string[] = [];
  const { outPath } = await render('start-end', {
    startImage, endImage, width, height, frames: 48,
    onProgress: (f, stage) => progress.push([f, stage]),
    log: (m) => logs.push(m),
  });
  assert.equal((await ffprobe(outPath)).frames, 48);
  const first = await framePsnr(outPath, 0, startImage, width, height);
  const lastEnd = await framePsnr(outPath, 'last', endImage, width, height);
  const lastStart = await framePsnr(outPath, 'last', startImage, width, height);
  console.log(`start→end: first ${first.toFixed(1)} dB, last vs end ${lastEnd.toFixed(1)} dB, last vs start ${lastStart.toFixed(1)} dB`);
  assert.ok(first >= 38, `first ${first}`);
  assert.ok(lastEnd >= 38, `last vs end ${lastEnd}`);
  assert.ok(lastStart < 20, `last frame must not look like the start image (${lastStart} dB)`);

  const fractions = progress.map(([f]) => f);
  assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), 'monotone');
  assert.equal(fractions.at(-1), 1);
  assert.equal(fractions[0], 0);
  assert.ok(fractions.some((f) => f > 0.1 && f < 0.9), 'reports during the render');
  const stages = new Set(progress.map(([, s]) => s));
  assert.deepEqual([...stages], ['decode', 'render', 'finalize']);
  for (const stage of stages) assert.ok(logs.some((l) => l.startsWith(`${stage}:`)), `a log line for ${stage}`);
});

test('end image only: pulls out and lands on it', async () => {
  const { width, height } = videoSize('16:9', '540p');
  const { outPath } = await render('end-only', { endImage, width, height, frames: 24 });
  const last = await framePsnr(outPath, 'last', endImage, width, height);
  const first = await framePsnr(outPath, 0, endImage, width, height);
  console.log(`end only: last ${last.toFixed(1)} dB, first ${first.toFixed(1)} dB`);
  assert.ok(last >= 38, `last ${last}`);
  assert.ok(first < 25, `starts zoomed in (${first} dB)`);
});

for (const prompt of ['', 'orbit left']) {
  void test(`loop${prompt ? ` (${prompt})` : ''}: the seam is no larger than 1.5× the median step, the middle is elsewhere`, async () => {
    const { width, height } = videoSize('16:9', '540p');
    const frames = 48;
    const { outPath } = await render(`loop-${prompt.replace(' ', '-')}`, { startImage, width, height, frames, loop: true, prompt });
    const luma = await decodeLuma(outPath, width, height);
    assert.equal(luma.length, frames);
    const steps = luma.slice(1).map((f, i) => meanAbsDiff(luma[i]!, f));
    const seam = meanAbsDiff(luma.at(-1)!, luma[0]!);
    const typical = median(steps);
    console.log(`loop ${prompt || 'default'}: seam ${seam.toFixed(2)}, median step ${typical.toFixed(2)}, max step ${Math.max(...steps).toFixed(2)} (mean |ΔY|)`);
    assert.ok(seam <= 1.5 * typical, `seam ${seam} vs median step ${typical}`);
    assert.ok(psnr(luma[frames / 2]!, luma[0]!) < 24, 'mid-loop frame clearly differs');
  });
}

test('loop with both images: start → end at the midpoint → back to start', async () => {
  const { width, height } = videoSize('16:9', '540p');
  const frames = 48;
  const { outPath } = await render('loop-both', { startImage, endImage, width, height, frames, loop: true });
  const midEnd = await framePsnr(outPath, frames / 2, endImage, width, height);
  const first = await framePsnr(outPath, 0, startImage, width, height);
  const lastStart = await framePsnr(outPath, 'last', startImage, width, height);
  console.log(`loop both: first ${first.toFixed(1)} dB, middle vs end ${midEnd.toFixed(1)} dB, last vs start ${lastStart.toFixed(1)} dB`);
  assert.ok(first >= 38 && midEnd >= 38, `${first} ${midEnd}`);
  assert.ok(lastStart >= 30, `last ${lastStart}`);
});

test('an output that cannot be written rejects with ffmpeg\'s reason and leaves nothing behind', async () => {
  const { width, height } = videoSize('1:1', '540p');
  const blocker = join(dir, 'not-a-dir');
  await makeTestImage(blocker, { width: 16, height: 16 });
  await assert.rejects(
    renderImageToVideo({ startImage, width, height, frames: 4, fps: 24, loop: false, outPath: join(blocker, 'x.mp4') }),
    /EEXIST|ENOTDIR|not a directory/i,
  );
  await assert.rejects(
    renderImageToVideo({ startImage, width, height, frames: 4, fps: 24, loop: false, outPath: join(dir, 'bad.mp4'), preset: 'no-such-preset' }),
    (err: Error) => /ffmpeg failed/.test(err.message) && /preset/i.test(err.message),
  );
  assert.ok(!(await readdir(dir)).some((f) => f.includes('bad.mp4')));
});

test('invalid options are refused with the field named', async () => {
  const base = { width: 960, height: 540, frames: 24, fps: 24, loop: false, outPath: join(dir, 'never.mp4') };
  await assert.rejects(renderImageToVideo(base), /startImage or endImage/);
  await assert.rejects(renderImageToVideo({ ...base, startImage, width: 961 }), /width/);
  await assert.rejects(renderImageToVideo({ ...base, startImage, frames: 1 }), /frames/);
});
