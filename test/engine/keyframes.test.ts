// Start and end keyframes: a morph that follows the content when the two images show the same
// scene moved, a dissolve when they do not, and in both cases an exact landing on the end image.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { analyseKeyframes } from '../../src/engine/morph.ts';
import { coverFit, renderImageToVideo } from '../../src/engine/render.ts';
import { patch, phaseCorrelate } from '../../src/engine/phase.ts';
import { loadSource } from '../../src/engine/source.ts';
import { extractLuma, psnr, rgbToLuma709 } from '../support/media.ts';
import { makeTexturedImage } from './measure.ts';

const W = 960;
const H = 540;
let dir = '';
let big = '';
let start = '';
let moved = '';
let other = '';

// Two views of one big picture: the end view is 64 px right and 24 px down of the start view,
// and 4% closer (in output pixels: 64 right, 24 down at 960×540).
const view = (dx: number, dy: number, zoom: number) => {
  const w = Math.round(1920 / zoom), h = Math.round(1080 / zoom);
  return { left: Math.round(240 + dx + (1920 - w) / 2), top: Math.round(135 + dy + (1080 - h) / 2), width: w, height: h };
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-keyframes-'));
  big = join(dir, 'big.png');
  await makeTexturedImage(big, 2400, 1350, 9);
  start = join(dir, 'start.png');
  moved = join(dir, 'moved.png');
  other = join(dir, 'other.png');
  await sharp(big).extract(view(0, 0, 1)).png().toFile(start);
  await sharp(big).extract(view(128, 48, 1.04)).png().toFile(moved);
  await makeTexturedImage(other, 1920, 1080, 4);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function luma(path: string): Promise<Uint8Array> {
  return rgbToLuma709(await coverFit(path, W, H), W, H);
}

test('the decision: the same scene moved corresponds, an unrelated picture does not', async () => {
  const [a, b, c] = await Promise.all([start, moved, other].map((p) => loadSource(p, W, H)));
  const same = analyseKeyframes(a!.rgbBase, b!.rgbBase);
  const differ = analyseKeyframes(a!.rgbBase, c!.rgbBase);
  console.log(`moved: consistency ${same.consistency.toFixed(2)} residual ${same.residual.toFixed(2)} shift ${same.shift.dx.toFixed(1)},${same.shift.dy.toFixed(1)}`);
  console.log(`unrelated: consistency ${differ.consistency.toFixed(2)} residual ${differ.residual.toFixed(2)}`);
  assert.equal(same.morph, true);
  assert.equal(differ.morph, false);
  // The global shift is found in output pixels: 128/2 = 64 px right, 24 px down of the view.
  assert.ok(Math.abs(same.shift.dx + 64) < 8 && Math.abs(same.shift.dy + 24) < 8, JSON.stringify(same.shift));
});

test('a morph starts on the start image, lands on the end image and follows the content in between', async () => {
  const out = join(dir, 'morph.mp4');
  const logs: string[] = [];
  await renderImageToVideo({ startImage: start, endImage: moved, width: W, height: H, frames: 48, fps: 24, loop: false, outPath: out, prompt: 'static', log: (m) => logs.push(m) });
  assert.ok(logs.some((l) => /correspond: morph/.test(l)), logs.join('\n'));
  const first = psnr(await extractLuma(out, 0, W, H), await luma(start));
  const last = psnr(await extractLuma(out, 'last', W, H), await luma(moved));
  // Frame 24 of 48 is at t = 24/47, where the eased progress is s = smootherstep(t) ≈ 0.516:
  // the content must have travelled that share of the way (a dissolve would not move it at all).
  const t = 24 / 47;
  const s = t * t * t * (t * (t * 6 - 15) + 10);
  const middle = await extractLuma(out, 24, W, H);
  const n = 256;
  const x0 = (W - n) / 2, y0 = (H - n) / 2;
  const shift = phaseCorrelate(patch(await luma(start), W, H, x0, y0, n), patch(middle, W, H, x0, y0, n), n);
  console.log(`morph: first ${first.toFixed(1)} dB, last ${last.toFixed(1)} dB, middle frame moved ${shift.dx.toFixed(1)},${shift.dy.toFixed(1)} px (expected ${(-64 * s).toFixed(1)},${(-24 * s).toFixed(1)})`);
  assert.ok(first >= 35, `first ${first}`);
  assert.ok(last >= 30, `last ${last}`);
  assert.ok(Math.abs(shift.dx + 64 * s) < 4 && Math.abs(shift.dy + 24 * s) < 4, 'the middle frame shows the content moved part of the way, not a double exposure');
});

test('unrelated keyframes dissolve, with the camera moving through, and land on the end image', async () => {
  const out = join(dir, 'dissolve.mp4');
  const logs: string[] = [];
  await renderImageToVideo({ startImage: start, endImage: other, width: W, height: H, frames: 48, fps: 24, loop: false, outPath: out, prompt: 'pan left', log: (m) => logs.push(m) });
  assert.ok(logs.some((l) => /differ: dissolve/.test(l)), logs.join('\n'));
  const first = psnr(await extractLuma(out, 0, W, H), await luma(start));
  const last = psnr(await extractLuma(out, 'last', W, H), await luma(other));
  console.log(`dissolve: first ${first.toFixed(1)} dB, last ${last.toFixed(1)} dB`);
  assert.ok(first >= 35 && last >= 30, `${first} ${last}`);
});
