// The decoder stage: exact frames out, the right count, early exit and abort stop ffmpeg.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { decodeVideo } from '../../src/engine/video-decoder.ts';
import { FfmpegError } from '../../src/engine/ffmpeg.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelhouse-decode-'));
const source = path.join(dir, 'source.mp4');
// 48 frames of ffmpeg's test pattern at 320x240, 24 fps.
execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=24:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', source]);

const ffmpegChildren = (): number => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg']).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

test('every frame, scaled, in both layouts', async () => {
  let n = 0;
  for await (const f of decodeVideo(source, { width: 160, height: 120 })) {
    assert.equal(f.length, 160 * 120 * 1.5);
    n++;
  }
  assert.equal(n, 48);
  const rgb: Uint8Array[] = [];
  for await (const f of decodeVideo(source, { width: 64, height: 48, pixelFormat: 'rgb24', maxFrames: 3 })) rgb.push(f);
  assert.equal(rgb.length, 3);
  assert.equal(rgb[0]?.length, 64 * 48 * 3);
  assert.notDeepEqual(rgb[0], rgb[2], 'the pattern moves');
});

test('a crop before the scale', async () => {
  const frames: Uint8Array[] = [];
  for await (const f of decodeVideo(source, { width: 80, height: 60, filters: ['crop=160:120:0:0'], maxFrames: 1 })) frames.push(f);
  assert.equal(frames.length, 1);
});

test('leaving early and aborting stop ffmpeg', async () => {
  for await (const _ of decodeVideo(source, { width: 320, height: 240 })) break;
  assert.equal(ffmpegChildren(), 0);
  const ac = new AbortController();
  await assert.rejects(async () => {
    for await (const _ of decodeVideo(source, { width: 320, height: 240, signal: ac.signal })) ac.abort();
  }, { name: 'AbortError' });
  assert.equal(ffmpegChildren(), 0);
});

test('a file that is not a video', async () => {
  const text = path.join(dir, 'text.mp4');
  fs.writeFileSync(text, 'not a video');
  await assert.rejects(async () => {
    for await (const _ of decodeVideo(text, { width: 32, height: 32 })) assert.fail('no frame expected');
  }, FfmpegError);
});
