// Each camera word must produce its move, checked by measuring the rendered frames (tracked
// points → translation, zoom, rotation, keystone, radial scale), never by reading the code path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameRenderer } from '../../src/engine/frames.ts';
import { levelScales, loadSource } from '../../src/engine/source.ts';
import type { Source } from '../../src/engine/source.ts';
import { buildTimeline } from '../../src/engine/timeline.ts';
import { CAMERA_WORDS } from '../../src/engine/vocabulary.ts';
import type { CameraWord } from '../../src/engine/vocabulary.ts';
import { fitMotion, from, GRID, makeTexturedImage, reversals, track } from './measure.ts';
import type { Motion, Track } from './measure.ts';

const W = 480;
const H = 270;
const FRAMES = 24;
const DEG = Math.PI / 180;
let dir = '';
let source: Source;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelhouse-moves-'));
  const image = join(dir, 'textured.png');
  await makeTexturedImage(image, 1440, 810, 5);
  source = await loadSource(image, W, H, levelScales(1.8, 1.04));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lumaFrames(words: CameraWord[]): Uint8Array[] {
  const renderer = new FrameRenderer({ timeline: buildTimeline({ start: true, end: false, loop: false, words }), sources: { start: source }, width: W, height: H, frames: FRAMES, loop: false });
  return Array.from({ length: FRAMES }, (_, i) => {
    const frame = new Uint8Array(renderer.frameBytes);
    renderer.render(i, frame);
    return frame.subarray(0, W * H);
  });
}

interface Measured {
  all: Motion;
  /** From 45% of the move on: lateral moves have made their room by then and simply travel. */
  late: Motion;
  tracks: Track[];
}

function measure(word: CameraWord): Measured {
  const frames = lumaFrames([word]);
  const tracks = track(frames, W, H, GRID);
  return { all: fitMotion(tracks), late: fitMotion(from(tracks, Math.round(FRAMES * 0.45))), tracks };
}

const centre = (m: Measured): Track => m.tracks.find((t) => t.fx === 0.5 && t.fy === 0.5)!;
const fmt = (m: Motion): string =>
  `d=(${m.dx.toFixed(1)},${m.dy.toFixed(1)}) zoom ${m.zoom.toFixed(3)} rot ${(m.rotation / DEG).toFixed(1)}° top/bottom ${m.topOverBottom.toFixed(3)} ` +
  `left/right ${m.leftOverRight.toFixed(3)} x/y ${m.xOverY.toFixed(3)} inner ${m.innerZoom.toFixed(3)} outer ${m.outerZoom.toFixed(3)} (${m.tracked} pts)`;

// Keystones are compared between opposite words: the same measurement on the same picture, so
// what the texture does to the tracker cancels and only the direction of the move remains.
type Check = (m: Measured, all: Record<CameraWord, Measured>) => [boolean, string][];
const level = (m: Motion): [boolean, string] => [Math.abs(m.rotation) < 0.4 * DEG, 'no rotation'];
const KEY = 0.03;

const CHECKS: Record<CameraWord, Check> = {
  truck_left: ({ late }) => [[late.dx > 3, 'content travels right'], level(late), [Math.abs(late.zoom - 1) < 0.01, 'no zoom while travelling']],
  truck_right: ({ late }) => [[late.dx < -3, 'content travels left'], level(late), [Math.abs(late.zoom - 1) < 0.01, 'no zoom while travelling']],
  pan_left: ({ late, all }, w) => [[late.dx > 3, 'content travels right'], [all.leftOverRight < w.pan_right.all.leftOverRight - KEY, 'left side recedes']],
  pan_right: ({ late }) => [[late.dx < -3, 'content travels left']],
  tilt_up: ({ late, all }, w) => [[late.dy > 3, 'content travels down'], [all.topOverBottom < w.tilt_down.all.topOverBottom - KEY, 'top recedes']],
  tilt_down: ({ late }) => [[late.dy < -3, 'content travels up']],
  pedestal_up: ({ late }) => [[late.dy > 3, 'content travels down'], level(late), [Math.abs(late.zoom - 1) < 0.01, 'no zoom while travelling']],
  pedestal_down: ({ late }) => [[late.dy < -3, 'content travels up'], level(late)],
  crane_up: ({ late, all }, w) => [[late.dy > 3, 'content travels down'], [all.topOverBottom > w.crane_down.all.topOverBottom + KEY, 'looks down: bottom recedes']],
  crane_down: ({ late }) => [[late.dy < -3, 'content travels up']],
  roll_left: ({ all }) => [[all.rotation > 5 * DEG, 'picture turns clockwise']],
  roll_right: ({ all }) => [[all.rotation < -5 * DEG, 'picture turns anticlockwise']],
  orbit_left: ({ late, all }, w) => [[all.leftOverRight > w.orbit_right.all.leftOverRight + 2 * KEY, 'left side comes nearer'], [late.dx > 1, 'world drifts right']],
  orbit_right: ({ late }) => [[late.dx < -1, 'world drifts left']],
  zoom_in: ({ all }) => [[all.zoom > 1.15, 'magnifies'], [Math.abs(all.innerZoom / all.outerZoom - 1) < 0.02, 'uniformly'], level(all)],
  zoom_out: ({ all }) => [[all.innerZoom < 0.85, 'the centre recedes']],
  push_in: ({ all }) => [[all.zoom > 1.1, 'magnifies'], [all.outerZoom > all.innerZoom * 1.008, 'edges grow faster than the centre']],
  pull_out: ({ all }) => [[all.innerZoom < 0.9, 'the centre recedes']],
  dolly_zoom: ({ all }) => [[Math.abs(all.innerZoom - 1) < 0.03, 'the subject keeps its size'], [all.outerZoom > all.innerZoom * 1.03, 'the background looms']],
  static: (m) => [[m.tracks.every((t) => t.steps.every(([dx, dy]) => Math.hypot(dx, dy) < 0.05)), 'nothing moves']],
  handheld: (m) => {
    const c = centre(m);
    const rx = reversals(c.steps.map(([dx]) => dx), 0.02);
    const ry = reversals(c.steps.map(([, dy]) => dy), 0.02);
    return [[rx >= 1 && ry >= 1 && rx + ry >= 3, `wanders (${rx}+${ry} reversals)`], [Math.abs(m.all.zoom - 1) < 0.1, 'stays framed']];
  },
  aerial: ({ all }) => [[all.zoom > 1.15, 'flies forward'], [all.dy > 2, 'towards a point above the centre']],
  aerial_drone: ({ all }) => [[all.zoom > 1.15, 'flies forward'], [all.dx < -2, 'drifting sideways'], [all.dy > 2, 'towards the horizon']],
  bolt_cam: (m) => {
    const c = m.tracks.find((t) => t.fx === 0.35 && t.fy === 0.35)!;
    const speeds = c.steps.map(([dx, dy]) => Math.hypot(dx, dy));
    const whip = Math.max(...speeds) / (speeds.reduce((s, v) => s + v, 0) / speeds.length);
    return [[m.all.zoom > 1.35, 'strong push'], [whip > 1.9, `whips through the middle (peak/mean speed ${whip.toFixed(2)})`]];
  },
  tiny_planet: ({ all }) => [[all.rotation > 20 * DEG, 'spins'], [all.innerZoom > all.outerZoom * 1.05, 'the centre bulges']],
  elevator_doors: ({ all }) => [[all.xOverY > 1.2, 'parts horizontally'], level(all)],
  low_angle: ({ all }, w) => [[all.topOverBottom < w.high_angle.all.topOverBottom - KEY, 'looking up: the top recedes']],
  high_angle: ({ all }) => [[all.zoom > 1.04, 'settles into the framing']],
  overhead: ({ all }) => [[all.rotation > 8 * DEG, 'turns above the scene'], [all.zoom > 1.05, 'descends']],
  eye_level: ({ all }) => [[all.zoom > 1.07, 'settles in'], level(all), [Math.abs(all.dx) < 1 && Math.abs(all.dy) < 1, 'centred']],
  ground_level: ({ all }, w) => [[all.topOverBottom < w.eye_level.all.topOverBottom - 0.015, 'looks up from the ground'], [all.dy < -2, 'glides along the ground']],
  over_the_shoulder: ({ all }) => [[all.zoom > 1.15, 'moves in'], [all.dx < -5, 'frames off-centre']],
  pov: (m) => {
    const ry = reversals(centre(m).steps.map(([, dy]) => dy), 0.02);
    return [[m.all.zoom > 1.1, 'walks forward'], [ry >= 3, `bobs (${ry} reversals)`]];
  },
  selfie: ({ all }) => [[all.zoom > 1.05, 'close'], [all.innerZoom > all.outerZoom, 'wide-angle bulge'], [all.dy > 1, 'framed on the face']],
};

test('each of the 34 camera words produces its move, measured from the frames', () => {
  const failures: string[] = [];
  const measured = {} as Record<CameraWord, Measured>;
  for (const word of CAMERA_WORDS) {
    measured[word] = measure(word);
    console.log(`${word.padEnd(18)} ${fmt(measured[word].all)} | late ${measured[word].late.dx.toFixed(1)},${measured[word].late.dy.toFixed(1)}`);
  }
  for (const word of CAMERA_WORDS) {
    const m = measured[word];
    for (const [ok, what] of CHECKS[word](m, measured)) if (!ok) failures.push(`${word}: ${what} — ${fmt(m.all)}; late ${fmt(m.late)}`);
  }
  assert.deepEqual(failures, []);
});

test('words combine: orbit left while craning up does both', () => {
  const frames = lumaFrames(['orbit_left', 'crane_up']);
  const tracks = track(frames, W, H, GRID);
  const all = fitMotion(tracks);
  const late = fitMotion(from(tracks, Math.round(FRAMES * 0.45)));
  assert.ok(all.zoom > 1.2, fmt(all));
  assert.ok(late.dy > 3 && late.dx > 0.5, `travels down and right: ${fmt(late)}`);
});
