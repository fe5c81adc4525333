// The reframe engine without the server: the geometry rules and their errors, the source probe
// (rotation, fractional rates), a still but noisy source (the fill must not pass the noise on),
// and abort leaving neither an ffmpeg process nor a file.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { Compositor, seamFor } from '../src/engine/reframe/compose.ts';
import { cellFor, FillModel } from '../src/engine/reframe/fill.ts';
import { canvasSize, MAX_CANVAS_SIDE, ReframeInputError, reframeLayout } from '../src/engine/reframe/geometry.ts';
import { renderReframe } from '../src/engine/reframe/render.ts';
import { ASPECT_RATIOS, RESOLUTIONS, videoSize } from '../src/engine/sizes.ts';
import { videoStreamInfo } from '../src/engine/video-info.ts';
import { frameBytes } from '../src/engine/yuv.ts';
import { ffprobe, makeTestImage } from './support/media.ts';
import { frameDiffEnergy, makeMovingSource, readFrames, rectPsnr, lumaCrop } from './support/reframe-measure.ts';
import { tempDir } from './support/server.ts';

const run = promisify(execFile);
const dir = tempDir('reelhouse-reframe-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ffmpegChildren = (): number => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg']).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ReframeInputError, String(err));
    return err.field;
  }
  return assert.fail('no error');
}

describe('geometry', () => {
  test("the canvas keeps the source's short side: the family's size table for 540p, 720p, 1080p sources", () => {
    for (const resolution of RESOLUTIONS) {
      const source = videoSize('16:9', resolution);
      for (const aspect of ASPECT_RATIOS) assert.deepEqual(canvasSize(source, aspect), videoSize(aspect, resolution), `${resolution} ${aspect}`);
      // A portrait source is the same class.
      assert.deepEqual(canvasSize(videoSize('9:16', resolution), '1:1'), videoSize('1:1', resolution));
    }
  });

  test('odd sizes round to even; 4K turned 21:9 stays within the largest side', () => {
    assert.deepEqual(canvasSize({ width: 1279, height: 719 }, '16:9'), { width: 1276, height: 718 });
    const wide = canvasSize({ width: 3840, height: 2160 }, '21:9');
    assert.ok(wide.width <= MAX_CANVAS_SIDE && wide.width > MAX_CANVAS_SIDE - 8, JSON.stringify(wide));
    assert.ok(wide.height % 2 === 0 && Math.abs(wide.width / wide.height - 21 / 9) < 0.01, JSON.stringify(wide));
  });

  test('crop in source pixels, centred by default, scaled down only when larger than the canvas', () => {
    const src = { width: 1280, height: 720 };
    assert.deepEqual(reframeLayout(src, { aspect_ratio: '1:1', x_start: 100, x_end: 500, y_start: 20 }), {
      canvas: { width: 720, height: 720 }, crop: { x: 100, y: 20, width: 400, height: 700 },
      placed: { x: 160, y: 10, width: 400, height: 700 }, scaled: false,
    });
    const fitted = reframeLayout(src, { aspect_ratio: '9:16', grid_position_y: 0 });
    assert.deepEqual(fitted.placed, { x: 0, y: 0, width: 720, height: 405 });
    assert.equal(fitted.scaled, true);
  });

  test('what does not fit names its field', () => {
    const src = { width: 640, height: 360 };
    const at = (f: Record<string, number>) => fieldOf(() => reframeLayout(src, { aspect_ratio: '1:1', ...f }));
    assert.equal(at({ x_start: 639 }), 'x_start');
    assert.equal(at({ x_end: 641 }), 'x_end');
    assert.equal(at({ y_start: 359 }), 'y_start');
    assert.equal(at({ y_end: 400 }), 'y_end');
    assert.equal(at({ x_start: 10, x_end: 11 }), 'x_end');
    assert.equal(at({ grid_position_x: 1 }), 'grid_position_x'); // 360 wide placed on a 360 canvas
    assert.equal(at({ x_end: 100, grid_position_x: 261 }), 'grid_position_x');
    assert.doesNotThrow(() => reframeLayout(src, { aspect_ratio: '1:1', x_end: 100, grid_position_x: 260 }));
    assert.equal(fieldOf(() => reframeLayout(src, { aspect_ratio: '16:9', grid_position_y: 1 })), 'grid_position_y');
  });
});

test('any layout, odd or tiny: the placed luma is the source exactly and the fill is finite', () => {
  const aspects = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  let composed = 0;
  for (let iter = 0; iter < 300; iter++) {
    const source = { width: 2 + rnd(300), height: 2 + rnd(300) };
    const f: Record<string, number | undefined> = {};
    for (const [k, max] of [['x_start', source.width], ['x_end', source.width + 2], ['y_start', source.height], ['y_end', source.height + 2], ['grid_position_x', 200], ['grid_position_y', 200]] as const) {
      if (rnd(2)) f[k] = rnd(max);
    }
    let layout;
    try {
      layout = reframeLayout(source, { aspect_ratio: aspects[rnd(7)]!, ...f });
    } catch (err) {
      assert.ok(err instanceof ReframeInputError, String(err));
      continue;
    }
    const { canvas, placed } = layout;
    for (const draft of [false, true]) {
      const fill = new FillModel(canvas, placed, { cell: cellFor(canvas, draft), fps: 24, detail: !draft });
      const compositor = new Compositor(canvas, placed, fill, seamFor(canvas));
      const src = Uint8Array.from({ length: frameBytes(placed.width, placed.height) }, () => rnd(256));
      fill.update(src, placed);
      const out = new Uint8Array(frameBytes(canvas.width, canvas.height));
      compositor.compose(src, out);
      for (let y = 0; y < placed.height; y++) {
        const got = out.subarray((placed.y + y) * canvas.width + placed.x, (placed.y + y) * canvas.width + placed.x + placed.width);
        assert.deepEqual(got, src.subarray(y * placed.width, (y + 1) * placed.width), JSON.stringify(layout));
      }
      for (let p = 0; p < 3; p++) assert.ok(fill.plane(p).every(Number.isFinite), JSON.stringify(layout));
    }
    composed++;
  }
  assert.ok(composed > 50, `${composed} layouts composed`);
});

describe('sources', () => {
  test('a rotated phone clip is reframed as it is shown; a 29.97 fps clip keeps its exact rate and frames', async () => {
    const coded = path.join(dir, 'coded.mp4');
    const rotated = path.join(dir, 'rotated.mp4');
    await makeMovingSource(coded, { width: 320, height: 180, seconds: 1, fps: 30000 / 1001 });
    await run('ffmpeg', ['-v', 'error', '-y', '-i', coded, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const info = await videoStreamInfo(rotated);
    assert.deepEqual([info.width, info.height, info.frameRate, info.frames], [180, 320, '30000/1001', 30]);
    const layout = reframeLayout(info, { aspect_ratio: '16:9' });
    assert.deepEqual(layout.canvas, { width: 320, height: 180 });
    const out = path.join(dir, 'rotated-out.mp4');
    await renderReframe({ source: rotated, layout, fps: info.fps, frames: info.frames, outPath: out, quality: 'standard' });
    const p = await ffprobe(out);
    assert.deepEqual([p.width, p.height, p.frames], [320, 180, 30]);
    assert.ok(Math.abs(p.fps - 30000 / 1001) < 1e-6, `rate ${p.fps}`);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', out]);
    assert.equal(stdout.trim(), '30000/1001');
  });

  test('an anamorphic source is reframed in square pixels, as players show it', async () => {
    const square = path.join(dir, 'square.mp4');
    const squeezed = path.join(dir, 'anamorphic.mp4');
    await makeMovingSource(square, { width: 640, height: 360, seconds: 0.5, fps: 24 });
    await run('ffmpeg', ['-v', 'error', '-y', '-i', square, '-vf', 'scale=480:360,setsar=4/3', '-c:v', 'libx264', '-crf', '12', squeezed]);
    const info = await videoStreamInfo(squeezed);
    assert.deepEqual([info.width, info.height, info.anamorphic], [640, 360, true]);
    const layout = reframeLayout(info, { aspect_ratio: '1:1', x_start: 100, x_end: 300 });
    const out = path.join(dir, 'anamorphic-out.mp4');
    await renderReframe({ source: squeezed, layout, squarePixels: info, fps: info.fps, frames: info.frames, outPath: out, quality: 'standard' });
    const p = await ffprobe(out);
    assert.deepEqual([p.width, p.height], [360, 360]);
    const [frames, refs] = await Promise.all([readFrames(out, 360, 360), readFrames(squeezed, 640, 360)]);
    const psnrs = frames.map((f, i) => rectPsnr(f, 360, layout.placed, lumaCrop(refs[i]!, 640, { x: 100, y: 0, width: 200, height: 360 })));
    assert.ok(Math.min(...psnrs) >= 35, `${Math.min(...psnrs).toFixed(1)} dB`);
  });

  test('a still, noisy source: the fill flickers far less than the source, whose pixels survive', async (t) => {
    const image = path.join(dir, 'still.png');
    const noisy = path.join(dir, 'noisy.mp4');
    await makeTestImage(image, { width: 480, height: 270, seed: 8 });
    await run('ffmpeg', [
      '-v', 'error', '-y', '-loop', '1', '-framerate', '24', '-i', image, '-t', '1',
      '-vf', 'noise=alls=12:allf=t,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
      '-c:v', 'libx264', '-crf', '12', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', noisy,
    ]);
    for (const quality of ['standard', 'draft'] as const) {
      const info = await videoStreamInfo(noisy);
      const layout = reframeLayout(info, { aspect_ratio: '9:16' });
      const out = path.join(dir, `noisy-${quality}.mp4`);
      await renderReframe({ source: noisy, layout, fps: info.fps, frames: info.frames, outPath: out, quality });
      const { width: cw, height: ch } = layout.canvas;
      const frames = await readFrames(out, cw, ch);
      const fill = frameDiffEnergy(frames, cw, ch, layout.placed, false);
      const src = frameDiffEnergy(frames, cw, ch, layout.placed, true);
      assert.ok(fill < src / 4, `${quality}: fill ${fill.toFixed(2)} vs source ${src.toFixed(2)}`);
      const refs = await readFrames(noisy, layout.placed.width, layout.placed.height);
      const psnrs = frames.map((f, i) => rectPsnr(f, cw, layout.placed, refs[i]!));
      assert.ok(Math.min(...psnrs) >= 35, `${quality}: ${Math.min(...psnrs).toFixed(1)} dB`);
      t.diagnostic(`${quality}: flicker fill ${fill.toFixed(2)} vs source ${src.toFixed(2)}, placed PSNR ≥ ${Math.min(...psnrs).toFixed(1)} dB`);
    }
  });
});

test('abort mid-render: AbortError, no ffmpeg left, no file', async () => {
  const source = path.join(dir, 'abort-src.mp4');
  await makeMovingSource(source, { width: 320, height: 180, seconds: 2, fps: 24 });
  const info = await videoStreamInfo(source);
  const outDir = path.join(dir, 'abort-out');
  fs.mkdirSync(outDir);
  const ac = new AbortController();
  await assert.rejects(
    renderReframe({
      source, layout: reframeLayout(info, { aspect_ratio: '1:1' }), fps: info.fps, frames: info.frames,
      outPath: path.join(outDir, 'out.mp4'), quality: 'standard', signal: ac.signal,
      onFrame: (_frame, i) => { if (i === 5) ac.abort(); },
    }),
    { name: 'AbortError' },
  );
  assert.equal(ffmpegChildren(), 0);
  assert.deepEqual(fs.readdirSync(outDir), []);
});
