// The modify engine below the runner: the colour fit on its own, the prompt vocabulary, odd
// source sizes, and an abort that must leave no ffmpeg and no file behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fitColourLut } from '../src/engine/modify/fit-lut.ts';
import { gradeOf } from '../src/engine/modify/grades.ts';
import { lookup } from '../src/engine/modify/lut.ts';
import { CameraShift } from '../src/engine/modify/camera-shift.ts';
import { ModifyInputError, modifyVideo } from '../src/engine/modify/modify-video.ts';
import { childProcesses } from './support/children.ts';
import { ffprobe } from './support/media.ts';
import { decodeAll, extractFramePng, makeEditedFrame, makePanVideo, makeSourceVideo, makeUndecodableVideo } from './support/modify.ts';
import { coverFit } from '../src/engine/source.ts';
import { rgbToYuv } from '../src/engine/yuv.ts';
import { psnr } from './support/media.ts';
import { tempDir } from './support/server.ts';

let dir: string;
before(() => {
  dir = tempDir('reelhouse-modify-engine-');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the global colour fit', () => {
  test('recovers a known non-linear grade from one frame', () => {
    const width = 64, height = 48;
    const n = width * height, c = (width / 2) * (height / 2);
    const src = { y: new Uint8Array(n), u: new Uint8Array(c), v: new Uint8Array(c) };
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    for (let i = 0; i < n; i++) src.y[i] = 16 + Math.floor(rand() * 219);
    for (let i = 0; i < c; i++) {
      src.u[i] = 64 + Math.floor(rand() * 128);
      src.v[i] = 64 + Math.floor(rand() * 128);
    }
    // A gamma on luma and a chroma rotation-and-shift.
    const grade = (y: number, u: number, v: number): [number, number, number] =>
      [16 + 219 * ((y - 16) / 219) ** 0.7, 128 + 0.9 * (u - 128) - 0.2 * (v - 128) - 6, 128 + 0.2 * (u - 128) + 0.9 * (v - 128) + 10];
    const dst = { y: new Uint8Array(n), u: new Uint8Array(c), v: new Uint8Array(c) };
    for (let row = 0; row < height; row++) {
      for (let x = 0; x < width; x++) {
        const k = (row >> 1) * (width / 2) + (x >> 1);
        dst.y[row * width + x] = Math.round(grade(src.y[row * width + x]!, src.u[k]!, src.v[k]!)[0]);
      }
    }
    for (let i = 0; i < c; i++) {
      const [, u, v] = grade(128, src.u[i]!, src.v[i]!);
      dst.u[i] = Math.round(u);
      dst.v[i] = Math.round(v);
    }
    const lut = fitColourLut(src, dst, width, height);
    let worst = 0;
    for (const [y, u, v] of [[30, 100, 150], [120, 128, 128], [200, 90, 170], [80, 160, 100]] as const) {
      const got = lookup(lut, y, u, v);
      const want = grade(y, u, v);
      for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(got[k]! - want[k]!));
    }
    assert.ok(worst < 4, `worst miss ${worst.toFixed(2)} levels`);
  });
});

describe('the prompt vocabulary', () => {
  test('finds colour and mood words, phrases counted once', () => {
    assert.deepEqual(gradeOf('Golden hour light, warm and vintage').words, ['golden hour', 'vintage', 'warm']);
    assert.deepEqual(gradeOf('Teal-and-orange blockbuster look').words, ['teal and orange']);
    assert.deepEqual(gradeOf('B&W noir').words, ['black and white']);
    assert.deepEqual(gradeOf('a quiet afternoon').words, []);
    assert.ok(gradeOf('cold winter morning').grade.temperature < 0);
    assert.equal(gradeOf('monochrome').grade.mono, 1);
  });
});

describe('modifyVideo', () => {
  test('an odd-sized source comes out one pixel smaller each way, same rate and frame count', async () => {
    const src = await makeSourceVideo(dir, 'odd', { width: 162, height: 98, fps: 24, seconds: 0.5 });
    // Pad to an odd size (libx264 needs even sizes, so the odd file is VP9 in Matroska).
    const odd = path.join(dir, 'odd.mkv');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-vf', 'pad=163:99', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-b:v', '1M', odd]);
    const out = path.join(dir, 'odd-out.mp4');
    const r = await modifyVideo({ video: odd, prompt: 'sepia', mode: 'flex_1', quality: 'standard', outPath: out });
    const p = await ffprobe(out);
    assert.deepEqual([p.width, p.height, p.fps, p.frames], [162, 98, 24, 12]);
    assert.deepEqual(r.words, ['sepia']);
    const frames = await decodeAll(out, 162, 98);
    assert.equal(frames.length, 12);
  });

  test('a video whose frames do not decode is the caller\'s error, naming video_url; an image that does not, image_url', async () => {
    const src = await makeSourceVideo(dir, 'good', { width: 160, height: 90, fps: 24, seconds: 0.5 });
    const bad = await makeUndecodableVideo(src, path.join(dir, 'bad.mp4'));
    await assert.rejects(modifyVideo({ video: bad, mode: 'flex_1', quality: 'standard', outPath: path.join(dir, 'bad-out.mp4') }), (err) => {
      assert.ok(err instanceof ModifyInputError, String(err));
      assert.equal(err.field, 'video_url');
      return true;
    });
    const notImage = path.join(dir, 'not-an-image.png');
    fs.writeFileSync(notImage, Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('not the rest of a png')]));
    await assert.rejects(modifyVideo({ video: src, editedImage: notImage, mode: 'flex_1', quality: 'standard', outPath: path.join(dir, 'bad-out.mp4') }), (err) => {
      assert.ok(err instanceof ModifyInputError, String(err));
      assert.equal(err.field, 'image_url');
      return true;
    });
    assert.ok(!fs.existsSync(path.join(dir, 'bad-out.mp4')));
    assert.deepEqual(await childProcesses('ffmpeg'), []);
  });

  test('the camera shift: a pan is measured, an object crossing a still background is not', async () => {
    const W = 432, H = 240;
    const shiftOf = async (video: string): Promise<[number, number]> => {
      const cam = new CameraShift(W, H);
      for (const f of await decodeAll(video, W, H)) cam.update(f.y);
      return [cam.dx, cam.dy];
    };
    const [px, py] = await shiftOf(await makePanVideo(dir, 'pan-only', { width: W, height: H, fps: 25, seconds: 1, step: 3 }));
    assert.ok(Math.abs(px - 3 * 24) < 1.5 && Math.abs(py) < 1, `pan: ${px}, ${py}`);
    const [bx, by] = await shiftOf(await makeSourceVideo(dir, 'box-only', { width: W, height: H, fps: 25, seconds: 1 }));
    assert.ok(Math.abs(bx) < 1 && Math.abs(by) < 1, `box over a still background: ${bx}, ${by}`);
  });

  test('a panning camera carries the edit with the picture', async () => {
    const W = 432, H = 240, step = 2;
    const src = await makePanVideo(dir, 'pan', { width: W, height: H, fps: 25, seconds: 1.6, step });
    const editedPng = await makeEditedFrame(await extractFramePng(src, 0, path.join(dir, 'pan-first.png')), path.join(dir, 'pan-edited.png'));
    const edited = rgbToYuv({ data: await coverFit(editedPng, W, H), width: W, height: H });
    for (const quality of ['standard', 'draft'] as const) {
      const out = path.join(dir, `pan-${quality}.mp4`);
      await modifyVideo({ video: src, editedImage: editedPng, mode: 'flex_3', quality, outPath: out });
      const frames = await decodeAll(out, W, H);
      const last = frames.at(-1)!;
      // The whole picture has moved right by step × 39 pixels: the last frame is the edited
      // frame moved as far, where both show the same content (the painted disc included).
      const shift = step * (frames.length - 1);
      const got: number[] = [], want: number[] = [];
      for (let y = 0; y < H; y++) {
        for (let x = shift; x < W; x++) {
          got.push(last.y[y * W + x]!);
          want.push(edited.y.data[y * W + x - shift]!);
        }
      }
      const db = psnr(Uint8Array.from(got), Uint8Array.from(want));
      // Measured 42 dB (standard) and 46 dB (draft); without following the camera, 33 and 34.
      assert.ok(db >= 38, `${quality}: last frame against the moved edit ${db.toFixed(1)} dB`);
    }
  });

  test("the source's sound is carried over", async () => {
    const src = await makeSourceVideo(dir, 'sound', { width: 160, height: 90, fps: 24, seconds: 1, sound: true });
    const out = path.join(dir, 'sound-out.mp4');
    await modifyVideo({ video: src, prompt: 'cool', mode: 'adhere_2', quality: 'draft', outPath: out });
    const { execFileSync } = await import('node:child_process');
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', out], { encoding: 'utf8' });
    assert.deepEqual(streams.trim().split('\n').sort(), ['aac,audio', 'h264,video']);
    assert.equal((await ffprobe(out)).frames, 24);
  });

  test('an abort mid-run stops both ffmpeg processes and leaves no file', async () => {
    const src = await makeSourceVideo(dir, 'long', { width: 640, height: 360, fps: 25, seconds: 8 });
    const outDir = path.join(dir, 'aborted');
    fs.mkdirSync(outDir);
    const controller = new AbortController();
    const reason = new Error('cancelled by test');
    let seen: number[] = [];
    const run = modifyVideo({
      video: src, prompt: 'neon', mode: 'reimagine_3', quality: 'standard', outPath: path.join(outDir, 'out.mp4'), signal: controller.signal,
      onProgress: (fraction, stage) => {
        if (stage === 'render' && fraction > 0.1 && !controller.signal.aborted && seen.length === 0) {
          seen = [-1];
          void childProcesses('ffmpeg').then((pids) => {
            seen = pids;
            controller.abort(reason);
          });
        }
      },
    });
    await assert.rejects(run, (err) => err === reason);
    assert.equal(seen.length, 2, `decoder and encoder were running: ${seen.join(',')}`);
    assert.deepEqual(await childProcesses('ffmpeg'), []);
    assert.deepEqual(fs.readdirSync(outDir), []);
  });
});
