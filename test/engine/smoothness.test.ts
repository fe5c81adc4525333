// Smoothness, measured: the engine's push-in against ffmpeg's zoompan Ken Burns doing the same
// zoom. zoompan rounds its crop to whole pixels, so points step 0, 1, 0, 1… and even backwards;
// the metric (measure.ts `smoothness`) must fail it and pass the engine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { FrameRenderer } from '../../src/engine/frames.ts';
import { coverFit } from '../../src/engine/render.ts';
import { levelScales, loadSource } from '../../src/engine/source.ts';
import { buildTimeline } from '../../src/engine/timeline.ts';
import { makeTexturedImage, smoothness, track } from './measure.ts';

const run = promisify(execFile);
const W = 960;
const H = 540;
const FRAMES = 48;
// On the picture's noise and shapes, away from its fine stripes and checkerboard: a periodic
// pattern gives phase correlation more than one answer (the stripes none along their length), so a
// point there measures the tracker, whatever renders the frames.
const POINTS: [number, number][] = [[0.1, 0.5], [0.75, 0.5], [0.25, 0.75], [0.75, 0.75]];
let dir = '';
let image = '';
let fitted = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-smooth-'));
  image = join(dir, 'source.png');
  fitted = join(dir, 'fitted.png');
  await makeTexturedImage(image, 1920, 1080, 11);
  await sharp(await coverFit(image, W, H), { raw: { width: W, height: H, channels: 3 } }).png().toFile(fitted);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The usual Ken Burns recipe: zoompan over the picture at output size, zoom 1 → 1.12, centred. */
async function zoompanFrames(): Promise<Uint8Array[]> {
  const zoom = `zoompan=z='1+0.12*on/${FRAMES - 1}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${FRAMES}:s=${W}x${H}:fps=24`;
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', fitted, '-vf', `${zoom},format=gray`, '-frames:v', String(FRAMES), '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 28 });
  return Array.from({ length: FRAMES }, (_, i) => new Uint8Array(stdout.buffer, stdout.byteOffset + i * W * H, W * H));
}

async function engineFrames(): Promise<Uint8Array[]> {
  const source = await loadSource(image, W, H, levelScales(1.12, 1.06));
  const renderer = new FrameRenderer({ timeline: buildTimeline({ start: true, end: false, loop: false }), sources: { start: source }, width: W, height: H, frames: FRAMES, loop: false });
  return Array.from({ length: FRAMES }, (_, i) => {
    const frame = new Uint8Array(renderer.frameBytes);
    renderer.render(i, frame);
    return frame.subarray(0, W * H);
  });
}

test('a monotone push-in: the engine is smooth, zoompan is not', async () => {
  const engine = smoothness(track(await engineFrames(), W, H, POINTS));
  const zoompan = smoothness(track(await zoompanFrames(), W, H, POINTS));
  console.log(`engine: ${engine.backSteps} back-steps, jerk ${engine.jerk.toFixed(2)}; zoompan: ${zoompan.backSteps} back-steps, jerk ${zoompan.jerk.toFixed(2)}`);
  // Smooth: never a step backwards, and the speed changes gradually (second differences at most
  // 0.6 of the mean speed, most of which is the tracker's own noise).
  assert.equal(engine.backSteps, 0);
  assert.ok(engine.jerk < 0.6, `engine jerk ${engine.jerk}`);
  assert.ok(zoompan.backSteps > 0 || zoompan.jerk >= 0.6, 'zoompan passes the metric: the metric would not catch pixel rounding');
  assert.ok(zoompan.jerk > 3 * engine.jerk);
});
