// The camera model without pixels: vocabulary, poses that never leave the source, eased starts
// and landings, periodic loops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { easeInOutSine, outAndBack, smootherstep, smoothstep } from '../../src/engine/camera.ts';
import { arrival, departure } from '../../src/engine/moves.ts';
import { magnification, poseWarp, STILL, warpPoint } from '../../src/engine/pose.ts';
import { videoSize } from '../../src/engine/sizes.ts';
import { buildTimeline, frameTime } from '../../src/engine/timeline.ts';
import { asCameraWord, CAMERA_WORDS, cameraWords } from '../../src/engine/vocabulary.ts';
import type { CameraWord } from '../../src/engine/vocabulary.ts';

const SIZES = [videoSize('16:9', '540p'), videoSize('9:21', '540p'), videoSize('1:1', '540p')];
const samples = (n: number): number[] => Array.from({ length: n + 1 }, (_, i) => i / n);

/** Largest distance by which any output boundary point lands outside the source. */
function overflow(pose: ReturnType<ReturnType<typeof departure>>, width: number, height: number): number {
  const w = poseWarp(pose, width, height);
  let worst = 0;
  for (const f of samples(16)) {
    for (const [x, y] of [[f * width, 0], [f * width, height], [0, f * height], [width, f * height]] as const) {
      const [sx, sy] = warpPoint(w, x, y);
      worst = Math.max(worst, -sx, -sy, sx - width, sy - height);
    }
  }
  return worst;
}

test('the vocabulary: 34 words, each recognised in plain phrasing', () => {
  assert.equal(CAMERA_WORDS.length, 34);
  const phrasings: Record<CameraWord, string> = {
    truck_left: 'The camera trucks left past the market', truck_right: 'truck right', pan_left: 'slowly pan to the left',
    pan_right: 'Pan Right across the bay', tilt_up: 'tilt up to the sky', tilt_down: 'camera tilts down',
    pedestal_up: 'pedestal up', pedestal_down: 'Pedestal-Down', crane_up: 'crane up over the wall', crane_down: 'crane_down',
    roll_left: 'roll left', roll_right: 'the camera rolls right', orbit_left: 'orbit left around the statue',
    orbit_right: 'Orbit right', zoom_in: 'zoom in on her face', zoom_out: 'zooming out', push_in: 'slow push in',
    pull_out: 'pull back to reveal the city', dolly_zoom: 'a dolly zoom', static: 'static camera', handheld: 'handheld',
    aerial: 'aerial view of the coast', aerial_drone: 'aerial drone shot', bolt_cam: 'bolt cam', tiny_planet: 'tiny planet',
    elevator_doors: 'elevator doors', low_angle: 'low angle', high_angle: 'high-angle shot', overhead: 'overhead',
    eye_level: 'eye level', ground_level: 'ground level', over_the_shoulder: 'over the shoulder', pov: 'POV', selfie: 'selfie',
  };
  for (const word of CAMERA_WORDS) assert.deepEqual(cameraWords(phrasings[word]), [word], `"${phrasings[word]}"`);
  assert.deepEqual(cameraWords('Slow push-in, then the camera orbits left; crane up at the end'), ['push_in', 'orbit_left', 'crane_up']);
  assert.deepEqual(cameraWords('A cat sleeping in the sun'), []);
  assert.deepEqual(cameraWords('aerial drone footage'), ['aerial_drone'], 'the longer phrase wins');
  assert.equal(asCameraWord('Orbit Left'), 'orbit_left');
  assert.equal(asCameraWord('sideways'), undefined);
});

test('every move, alone and combined, starts on the picture and never leaves the source', () => {
  const sets: CameraWord[][] = [...CAMERA_WORDS.map((w) => [w]), ['orbit_left', 'crane_up'], ['push_in', 'roll_right', 'handheld'], ['tiny_planet', 'pan_left']];
  for (const words of sets) {
    const leave = departure(words);
    assert.equal(poseWarp(leave(0), 960, 540).still, true, `${words.join('+')} starts still`);
    assert.equal(poseWarp(arrival(words)(1), 960, 540).still, true, `${words.join('+')} arrives still`);
    for (const { width, height } of SIZES) {
      for (const t of samples(40)) {
        for (const pose of [leave(t), arrival(words)(t)]) {
          const out = overflow(pose, width, height);
          assert.ok(out < 1e-6, `${words.join('+')} t=${t} ${width}x${height}: ${out} px outside`);
        }
      }
    }
  }
});

test('moves are eased: no velocity at either end', () => {
  const probe = (word: CameraWord, t: number): [number, number] => warpPoint(poseWarp(departure([word])(t), 960, 540), 100, 80);
  for (const word of ['zoom_in', 'pan_left', 'roll_right', 'crane_up', 'dolly_zoom', 'orbit_left'] as const) {
    const dt = 1e-3;
    const speed = (t: number): number => {
      const [a, b] = probe(word, t);
      const [c, d] = probe(word, t + dt);
      return Math.hypot(c - a, d - b) / dt;
    };
    const mid = speed(0.5);
    assert.ok(speed(0) < mid * 0.01, `${word} start ${speed(0)} vs mid ${mid}`);
    assert.ok(speed(1 - dt) < mid * 0.01, `${word} end ${speed(1 - dt)} vs mid ${mid}`);
  }
  for (const ease of [smoothstep, smootherstep, easeInOutSine]) {
    assert.equal(ease(0), 0);
    assert.equal(ease(1), 1);
  }
});

test('zoom is what the pose says, and perspective needs more of it', () => {
  const z = magnification(poseWarp({ ...STILL, zoom: 1.2 }, 960, 540));
  assert.ok(Math.abs(z.min - 1.2) < 1e-6 && Math.abs(z.max - 1.2) < 1e-6, JSON.stringify(z));
  const rolled = magnification(poseWarp({ ...STILL, roll: 0.1 }, 960, 540));
  assert.ok(rolled.min > 1.1, `a 5.7° roll must zoom in to stay inside (${rolled.min})`);
});

test('loops are periodic: t = 1 is t = 0, and smooth through the wrap', () => {
  for (const words of [[], ['orbit_left'], ['handheld']] as CameraWord[][]) {
    const tl = buildTimeline({ start: true, end: false, loop: true, words });
    const at = (t: number): [number, number] => warpPoint(poseWarp(tl.a.pose(t), 960, 540), 200, 100);
    const [a, b] = at(0);
    const [c, d] = at(1);
    assert.ok(Math.hypot(a - c, b - d) < 1e-9, words.join('+'));
    const before = at(1 - 0.01), after = at(0.01);
    assert.ok(Math.abs(Math.hypot(before[0] - a, before[1] - b) - Math.hypot(after[0] - a, after[1] - b)) < 1e-6, 'symmetric about the wrap');
  }
  assert.equal(outAndBack(0), 0);
  assert.equal(outAndBack(0.5), 1);
});

test('timelines land exactly on their images', () => {
  const both = buildTimeline({ start: true, end: true, loop: false });
  assert.equal(both.mix(0), 0);
  assert.equal(both.mix(1), 1);
  assert.equal(poseWarp(both.b!.pose(1), 960, 540).still, true);
  const morph = buildTimeline({ start: true, end: true, loop: false, morph: true, words: ['orbit_left'] });
  assert.equal(morph.morph!(0), 0);
  assert.equal(morph.morph!(1), 1);
  assert.equal(poseWarp(morph.a.pose(0), 960, 540).still, true);
  assert.equal(poseWarp(morph.a.pose(1), 960, 540).still, true);
  const loop = buildTimeline({ start: true, end: true, loop: true });
  assert.equal(loop.mix(0), 0);
  assert.equal(loop.mix(0.5), 1);
  assert.equal(poseWarp(loop.b!.pose(0.5), 960, 540).still, true, 'end image unmoved at the loop midpoint');
  const endOnly = buildTimeline({ start: false, end: true, loop: false });
  assert.equal(endOnly.a.image, 'end');
  assert.equal(poseWarp(endOnly.a.pose(frameTime(119, 120, false)), 960, 540).still, true);
});

test('frameTime: closed interval for one-shots, open (no duplicate frame) for loops', () => {
  assert.equal(frameTime(0, 120, false), 0);
  assert.equal(frameTime(119, 120, false), 1);
  assert.equal(frameTime(119, 120, true), 119 / 120);
});
