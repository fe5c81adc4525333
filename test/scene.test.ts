// Text-to-video scenes: the prompt's words are read into a scene, the scene's elements are in the
// video by the measurements of test/engine/scene-measure.ts (defined in docs/text-to-video.md),
// the same prompt gives the same bytes, different prompts differ, loops close, aborts clean up.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { SceneRenderer } from '../src/engine/scene/renderer.ts';
import { renderTextToVideo } from '../src/engine/scene/render-scene.ts';
import { readScene } from '../src/engine/scene/words.ts';
import { ffprobe } from './support/media.ts';
import { tempDir } from './support/server.ts';
import {
  blobsIn, brightestRow, decodeRgb, fallDirection, meanColour, motion, neonShare, specks, warmLights,
} from './engine/scene-measure.ts';
import type { Frame } from './engine/scene-measure.ts';

const W = 960;
const H = 540;
const FRAMES = 48;
const dir = tempDir('reelhouse-scene-');

async function render(prompt: string, name: string, extra: { loop?: boolean; draft?: boolean; threads?: number } = {}): Promise<string> {
  const outPath = path.join(dir, `${name}.mp4`);
  await renderTextToVideo({ prompt, width: W, height: H, frames: FRAMES, fps: 24, loop: false, outPath, ...extra });
  return outPath;
}

/** Whether two frames are byte for byte the same (assert.deepEqual's diff of megabytes is slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;
const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median fall measurement over four frame triples spread through the clip. */
function fall(frames: Frame[]): { down: number; up: number; tall: number } {
  const rs = [8, 18, 28, 38].map((k) => fallDirection(frames[k]!, frames[k + 1]!, frames[k + 2]!, 100));
  return { down: median(rs.map((r) => r.down)), up: median(rs.map((r) => r.up)), tall: median(rs.map((r) => r.tall)) };
}

describe('reading a prompt', () => {
  test('the three example prompts', () => {
    const sunset = readScene('Sunset over the ocean');
    assert.equal(sunset.time, 'sunset');
    assert.equal(sunset.water, true);
    const snowy = readScene('snowy night in the city');
    assert.deepEqual([snowy.time, snowy.snow, snowy.terrain.includes('city'), snowy.lights], ['night', true, true, true]);
    const neon = readScene('neon rain');
    assert.deepEqual([neon.neon, neon.rain, neon.time, neon.terrain], [true, true, 'night', ['city']]);
  });

  test('words imply what is not said, and moods and colours are read', () => {
    const s = readScene('A dramatic thunderstorm over purple mountains');
    assert.deepEqual([s.storm, s.rain, s.clouds, s.mood, s.landColour, s.colours], [true, true, true, 'dramatic', 'purple', []]);
    const sky = readScene('green hills under a pink sky, turquoise sea');
    assert.deepEqual([sky.landColour, sky.waterColour, sky.colours], ['green', 'teal', ['pink']]);
    assert.ok(s.terrain.includes('mountains'));
    assert.equal(readScene('campfire under the stars').time, 'night');
    const volcano = readScene('a volcano erupting');
    assert.deepEqual([volcano.volcano, volcano.fire, volcano.terrain], [true, true, ['mountains']]);
  });

  test('unknown words fall back to a landscape chosen by the prompt, the same every time', () => {
    const a = readScene('my grandmother’s teapot on a Tuesday');
    assert.deepEqual(a.words, []);
    assert.ok(a.terrain.length > 0, 'a fallback landscape');
    assert.deepEqual(readScene('my grandmother’s teapot on a Tuesday'), a);
    assert.notEqual(readScene('my grandfather’s teapot on a Tuesday').seed, a.seed);
  });
});

describe('scene frames', () => {
  test('a frame is a pure function of the prompt and its index', () => {
    const opts = { spec: readScene('neon rain'), camera: [], width: 320, height: 180, frames: 48, fps: 24, loop: false };
    const a = new SceneRenderer(opts);
    const b = new SceneRenderer(opts);
    const fa = new Uint8Array(a.frameBytes);
    const fb = new Uint8Array(b.frameBytes);
    b.render(30, fb); // out of order on purpose
    a.render(30, fa);
    assert.ok(same(fa, fb));
  });

  test('a looping scene is periodic: frame N would be frame 0 again', () => {
    for (const prompt of ['neon rain', 'snowy forest at dawn, orbit left', 'campfire by the lake, handheld']) {
      const r = new SceneRenderer({ spec: readScene(prompt), camera: [], width: 320, height: 180, frames: 48, fps: 24, loop: true });
      const first = new Uint8Array(r.frameBytes);
      const wrapped = new Uint8Array(r.frameBytes);
      r.render(0, first);
      r.render(48, wrapped);
      assert.ok(same(wrapped, first), prompt);
    }
  });
});

describe('scene videos', () => {
  let sunset: Frame[];
  let snowy: Frame[];
  let neon: Frame[];
  const files: Record<string, string> = {};

  before(async () => {
    files.sunset = await render('sunset over the ocean', 'sunset');
    files.snowy = await render('snowy night in the city', 'snowy');
    files.neon = await render('neon rain', 'neon');
    [sunset, snowy, neon] = await Promise.all([decodeRgb(files.sunset, W, H), decodeRgb(files.snowy, W, H), decodeRgb(files.neon, W, H)]);
  });

  test('the same prompt gives a byte-identical video, on a worker or the calling thread', async () => {
    const again = await render('sunset over the ocean', 'sunset-again', { threads: 0 });
    assert.equal(sha(again), sha(files.sunset!));
  });

  test('"sunset over the ocean": a warm sky, brightest at the horizon; a blue sea that moves', () => {
    const f = sunset[24]!;
    const sky = meanColour(f, 0, 0.5);
    assert.ok(sky.r - sky.b > 20, `sunset: upper half R − B = ${(sky.r - sky.b).toFixed(1)}`);
    const bright = brightestRow(f, 0, 0.75);
    assert.ok(bright > 0.45 && bright < 0.7, `sunset: brightest row at ${bright.toFixed(2)} of the height, not near the horizon`);
    for (const [x0, x1] of [[0, 0.3], [0.7, 1]] as const) {
      const sea = meanColour(f, 0.8, 1, x0, x1);
      assert.ok(sea.b > sea.r + 10 && sea.b > sea.g + 10, `ocean: bottom band ${sea.r.toFixed(0)},${sea.g.toFixed(0)},${sea.b.toFixed(0)} is not blue`);
    }
    const waves = motion(sunset[24]!, sunset[25]!, 0.75, 1);
    const still = motion(sunset[24]!, sunset[25]!, 0.1, 0.4);
    assert.ok(waves > 1 && waves > 4 * still, `ocean: motion ${waves.toFixed(2)} in the sea vs ${still.toFixed(2)} in the sky`);
  });

  test('"snowy night in the city": dark, lit windows, many small bright specks falling', () => {
    const f = snowy[24]!;
    assert.ok(meanColour(f).l < 60, `night: mean luma ${meanColour(f).l.toFixed(1)}`);
    const windows = warmLights(f, 0.15, 0.62);
    assert.ok(windows > 200, `city: ${windows} lit-window pixels`);
    const flakes = blobsIn(specks(f), W, H, 0, 0.45);
    assert.ok(flakes > 80, `snow: ${flakes} specks in the sky`);
    const m = fall(snowy);
    assert.ok(m.down > 0.3 && m.down > 5 * Math.max(0, m.up), `snow: falls (down ${m.down.toFixed(2)}, up ${m.up.toFixed(2)})`);
  });

  test('"neon rain": saturated magenta and cyan light; tall streaks moving down', () => {
    const share = neonShare(neon[24]!);
    assert.ok(share > 0.003, `neon: ${(share * 100).toFixed(2)}% neon pixels`);
    const m = fall(neon);
    assert.ok(m.down > 0.15 && m.down > 2 * Math.max(0, m.up), `rain: falls (down ${m.down.toFixed(2)}, up ${m.up.toFixed(2)})`);
    assert.ok(m.tall > 2, `rain: streaks are tall (${m.tall.toFixed(2)})`);
  });

  test('each prompt lacks the others\' elements, and the three differ in colour and motion', () => {
    assert.ok(neonShare(sunset[24]!) < 0.0005 && neonShare(snowy[24]!) < 0.0005, 'no neon without the word');
    assert.ok(meanColour(sunset[24]!).l > 60, 'a sunset is not night');
    assert.ok(blobsIn(specks(sunset[24]!), W, H, 0, 0.45) < 20, 'no snow in the sunset sky');
    assert.ok(fall(sunset).tall < 1, 'no rain streaks at sunset');
    const means = [sunset, snowy, neon].map((v) => meanColour(v[24]!));
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const a = means[i]!, b = means[j]!;
        const d = Math.hypot(a.r - b.r, a.g - b.g, a.b - b.b);
        assert.ok(d > 8, `mean colours ${i} and ${j} differ by only ${d.toFixed(1)}`);
      }
    }
    const moving = [sunset, snowy, neon].map((v) => motion(v[24]!, v[25]!));
    assert.ok(moving[1]! > moving[0]! && moving[2]! > moving[0]!, `falling snow and rain move more than a calm sunset: ${moving.map((m) => m.toFixed(2)).join(', ')}`);
  });
});

describe('options', () => {
  test('draft renders the same size with fewer layers, and the same prompt differs from standard', async () => {
    const file = await render('misty mountains with a forest at dawn', 'draft', { draft: true });
    const p = await ffprobe(file);
    assert.deepEqual([p.width, p.height, p.frames], [W, H, FRAMES]);
    const standard = await render('misty mountains with a forest at dawn', 'standard');
    assert.notEqual(sha(file), sha(standard));
  });

  test('a camera word moves the camera: a truck gives parallax, a static shot does not move the land', async () => {
    const still = await decodeRgb(await render('mountains at noon, static shot', 'static'), W, H);
    const truck = await decodeRgb(await render('mountains at noon, truck right', 'truck'), W, H);
    const band = [0.3, 0.62] as const;
    const sMove = motion(still[0]!, still[FRAMES - 1]!, ...band);
    const tMove = motion(truck[0]!, truck[FRAMES - 1]!, ...band);
    assert.ok(sMove < 1, `static: the mountains moved ${sMove.toFixed(2)}`);
    assert.ok(tMove > 3, `truck: the mountains moved only ${tMove.toFixed(2)}`);
  });

  test('abort stops the render and leaves no file behind', async () => {
    const ac = new AbortController();
    const out = path.join(tempDir('reelhouse-scene-abort-'), 'out.mp4');
    const run = renderTextToVideo({
      prompt: 'neon rain', width: W, height: H, frames: 240, fps: 24, loop: false, outPath: out, signal: ac.signal,
      onProgress: (f) => { if (f > 0.2) ac.abort(); },
    });
    await assert.rejects(run, { name: 'AbortError' });
    assert.deepEqual(fs.readdirSync(path.dirname(out)), []);
  });
});
