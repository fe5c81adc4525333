import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breathe, easeInOutSine, pullOut, pushIn, smootherstep, smoothstep } from '../../src/engine/camera.ts';
import type { CameraPath, Rect, Size } from '../../src/engine/camera.ts';
import { buildTimeline, frameTime } from '../../src/engine/timeline.ts';

const SOURCES: Size[] = [
  { width: 1085, height: 610 }, // 960x540 pre-scaled by 1.13
  { width: 610, height: 1424 },
  { width: 1220, height: 1220 },
];
const PATHS: Record<string, CameraPath> = { pushIn: pushIn(), pullOut: pullOut(), breathe: breathe(), breatheHalf: breathe(undefined, 0.5) };
const samples = (n: number): number[] => Array.from({ length: n + 1 }, (_, i) => i / n);
const near = (a: number, b: number, eps: number, msg?: string): void => assert.ok(Math.abs(a - b) <= eps, `${msg ?? ''} ${a} vs ${b}`);
const dist = (a: Rect, b: Rect): number => Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y), Math.abs(a.w - b.w), Math.abs(a.h - b.h));

test('every path stays inside the source and keeps its aspect ratio', () => {
  for (const [name, path] of Object.entries(PATHS)) {
    for (const source of SOURCES) {
      for (const t of samples(200)) {
        const r = path(t, source);
        const where = `${name} t=${t} ${source.width}x${source.height}`;
        assert.ok(r.x >= 0 && r.y >= 0, where);
        assert.ok(r.x + r.w <= source.width + 1e-9 && r.y + r.h <= source.height + 1e-9, where);
        near(r.w / r.h, source.width / source.height, 1e-9, where);
      }
    }
  }
});

test('an explicit aspect gives the largest centred rectangle of that aspect at zoom 1', () => {
  const r = pushIn()(0, { width: 2000, height: 1000 }, 1);
  assert.deepEqual(r, { x: 500, y: 0, w: 1000, h: 1000 });
});

test('push-in starts on the full frame, pull-out lands on it, both centred and zooming 1.12–1.15', () => {
  const source = SOURCES[0]!;
  const full = { x: 0, y: 0, w: source.width, h: source.height };
  assert.deepEqual(pushIn()(0, source), full);
  assert.deepEqual(pullOut()(1, source), full);
  for (const [r, which] of [[pushIn()(1, source), 'push-in end'], [pullOut()(0, source), 'pull-out start']] as const) {
    const zoom = source.width / r.w;
    assert.ok(zoom >= 1.12 && zoom <= 1.15, `${which}: zoom ${zoom}`);
    near(r.x + r.w / 2, source.width / 2, 1e-9, which);
    near(r.y + r.h / 2, source.height / 2, 1e-9, which);
  }
  // Monotone: the push-in never backs off.
  let last = Infinity;
  for (const t of samples(100)) {
    const w = pushIn()(t, source).w;
    assert.ok(w <= last + 1e-12, `t=${t}`);
    last = w;
  }
});

test('moves are eased: no velocity at either end', () => {
  const source = SOURCES[0]!;
  const dt = 1e-3;
  for (const [name, path] of Object.entries(PATHS)) {
    const startSpeed = dist(path(dt, source), path(0, source)) / dt;
    const endSpeed = dist(path(1, source), path(1 - dt, source)) / dt;
    const midSpeed = dist(path(0.25 + dt, source), path(0.25, source)) / dt;
    assert.ok(startSpeed < midSpeed * 0.01, `${name} start ${startSpeed} vs mid ${midSpeed}`);
    assert.ok(endSpeed < midSpeed * 0.01, `${name} end ${endSpeed} vs mid ${midSpeed}`);
  }
  for (const ease of [smoothstep, smootherstep, easeInOutSine]) {
    assert.equal(ease(0), 0);
    assert.equal(ease(1), 1);
    near(ease(0.5), 0.5, 1e-12);
  }
});

test('the loop path is periodic: t=1 is t=0 and it moves through the wrap smoothly', () => {
  const source = SOURCES[1]!;
  const path = breathe();
  assert.deepEqual(path(1, source), path(0, source));
  for (const t of samples(20)) assert.ok(dist(path(t, source), path(t + 1, source)) < 1e-6, `t=${t}`);
  // Symmetric around the wrap: no kink where the video loops.
  near(dist(path(0.01, source), path(0, source)), dist(path(0.99, source), path(0, source)), 1e-9);
  assert.ok(source.width / path(0.5, source).w > 1.12, 'it reaches full zoom mid-period');
});

test('timelines land exactly on their images', () => {
  const both = buildTimeline({ start: true, end: true, loop: false });
  assert.equal(both.mix(0), 0);
  assert.equal(both.mix(1), 1);
  const loop = buildTimeline({ start: true, end: true, loop: true });
  assert.equal(loop.mix(0), 0);
  assert.equal(loop.mix(0.5), 1);
  assert.equal(loop.mix(frameTime(60, 120, true)), 1);
  near(loop.mix(0.1), loop.mix(0.9), 1e-12, 'loop dissolve is symmetric');
  const source = SOURCES[0]!;
  const full = { x: 0, y: 0, w: source.width, h: source.height };
  assert.deepEqual(loop.b!.camera(0.5, source), full, 'end image unzoomed at the loop midpoint');
  const endOnly = buildTimeline({ start: false, end: true, loop: false });
  assert.equal(endOnly.a.image, 'end');
  assert.deepEqual(endOnly.a.camera(frameTime(119, 120, false), source), full);
});

test('frameTime: closed interval for one-shots, open (no duplicate frame) for loops', () => {
  assert.equal(frameTime(0, 120, false), 0);
  assert.equal(frameTime(119, 120, false), 1);
  assert.equal(frameTime(119, 120, true), 119 / 120);
});
