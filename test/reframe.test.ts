// Reframe through the real @fal-ai/client: every aspect ratio on both endpoints gives an MP4 of
// the canvas size with the source's frame count and rate; the source's pixels survive in their
// placed region, the fill flickers less than the source, crop boxes and grid positions land where
// they say (found by search, not assumed), and bad geometry answers 422 naming the field.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { createFalClient, ValidationError } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { ffprobe, makeTestImage } from './support/media.ts';
import { findPatch, frameDiffEnergy, lumaCrop, makeMovingSource, readFrames, rectPsnr, type Rect } from './support/reframe-measure.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { fetchToFile, lumaPsnrAgainst } from './support/video.ts';

const LUMA = 'fal-ai/luma-dream-machine';
const ENDPOINTS = [`${LUMA}/ray-2/reframe`, `${LUMA}/ray-2-flash/reframe`] as const;
/** The canvas of a 960x540 source (540p class) for every aspect ratio: the short side is kept. */
const CANVAS_540: Record<string, [number, number]> = {
  '1:1': [540, 540], '16:9': [960, 540], '9:16': [540, 960], '4:3': [720, 540],
  '3:4': [540, 720], '21:9': [1260, 540], '9:21': [540, 1260],
};
const FPS = 24;
const SECONDS = 1;

const run = promisify(execFile);

const ffmpegChildren = (): number => {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg']).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

interface VideoResult {
  video: { url: string; content_type: string; file_name: string };
}

let server: TestServer;
let fal: ReturnType<typeof createFalClient>;
let dir: string;
/** 960x540, 24 fps, 24 frames of a panning textured image. */
let source: string;
let sourceUrl: string;
/** 640x360, 25 fps: the crop and grid landing checks (a rate other than 24 on purpose). */
let small: string;
let smallUrl: string;

before(async () => {
  server = await startTestServer();
  fal = createFalClient(reelhouseConfig({ url: server.url, credentials: server.key }));
  dir = tempDir();
  source = path.join(dir, 'source.mp4');
  small = path.join(dir, 'small.mp4');
  await Promise.all([
    makeMovingSource(source, { width: 960, height: 540, seconds: SECONDS, fps: FPS }),
    makeMovingSource(small, { width: 640, height: 360, seconds: SECONDS, fps: 25, seed: 11, speed: 90 }),
  ]);
  const upload = (file: string) => fal.storage.upload(new File([fs.readFileSync(file)], path.basename(file), { type: 'video/mp4' }));
  [sourceUrl, smallUrl] = await Promise.all([upload(source), upload(small)]);
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function reframe(endpoint: string, input: Record<string, unknown>): Promise<string> {
  const result = await fal.subscribe(endpoint, { input });
  const { video } = result.data as VideoResult;
  assert.equal(video.content_type, 'video/mp4');
  return fetchToFile(video.url, dir);
}

/** The placed rectangle of a whole 960x540 source, centred: unscaled when it fits, else fitted. */
function expectedPlacement(cw: number, ch: number): Rect {
  const s = Math.min(1, cw / 960, ch / 540);
  const width = s === 1 ? 960 : Math.min(cw, Math.round(960 * s));
  const height = s === 1 ? 540 : Math.min(ch, Math.round(540 * s));
  return { x: Math.floor((cw - width) / 2), y: Math.floor((ch - height) / 2), width, height };
}

/** Per-frame luma PSNR of `rect` in the output against the source scaled to the rect (by ffmpeg). */
async function placedPsnrs(out: string, cw: number, ch: number, rect: Rect, src: string): Promise<number[]> {
  const [outFrames, refFrames] = await Promise.all([readFrames(out, cw, ch), readFrames(src, rect.width, rect.height)]);
  assert.equal(outFrames.length, refFrames.length, 'one output frame per source frame');
  return outFrames.map((f, i) => rectPsnr(f, cw, rect, refFrames[i]!));
}

describe('every aspect ratio on both endpoints', () => {
  for (const endpoint of ENDPOINTS) {
    for (const [aspect, [cw, ch]] of Object.entries(CANVAS_540)) {
      test(`${endpoint.split('/')[2]} ${aspect} → ${cw}x${ch}`, async (t) => {
        const out = await reframe(endpoint, { video_url: sourceUrl, aspect_ratio: aspect });
        const p = await ffprobe(out);
        assert.deepEqual([p.codec, p.profile, p.pixFmt, p.width, p.height], ['h264', 'High', 'yuv420p', cw, ch]);
        assert.equal(p.fps, FPS);
        assert.equal(p.frames, FPS * SECONDS);
        assert.ok(Math.abs(p.durationSec - SECONDS) < 1.5 / FPS, `duration ${p.durationSec}`);

        const rect = expectedPlacement(cw, ch);
        const psnrs = await placedPsnrs(out, cw, ch, rect, source);
        const worst = Math.min(...psnrs);
        assert.ok(worst >= 35, `${aspect}: placed-region luma PSNR ${worst.toFixed(1)} dB < 35 on some frame`);
        if (rect.width < cw || rect.height < ch) {
          const frames = await readFrames(out, cw, ch);
          const fill = frameDiffEnergy(frames, cw, ch, rect, false);
          const src = frameDiffEnergy(frames, cw, ch, rect, true);
          assert.ok(fill <= src, `${aspect}: fill frame-difference energy ${fill.toFixed(1)} > source's ${src.toFixed(1)}`);
          t.diagnostic(`${aspect}: PSNR ≥ ${worst.toFixed(1)} dB, flicker fill ${fill.toFixed(1)} vs source ${src.toFixed(1)}`);
        }
      });
    }
  }
});

describe('crop boxes and grid positions land where they say', () => {
  const endpoint = ENDPOINTS[0];
  // 640x360 source → 1:1 canvas 360x360. Odd bounds and odd positions on purpose.
  const crop = { x_start: 101, x_end: 301, y_start: 41, y_end: 199 };
  const cropRect = { width: 200, height: 158 };
  /** The crop box's luma, cut from whole source frames here (ffmpeg's crop rounds odd offsets to even). */
  const cropped = async (): Promise<Uint8Array[]> =>
    (await readFrames(small, 640, 360)).map((f) => lumaCrop(f, 640, { x: 101, y: 41, ...cropRect }));

  async function landing(input: Record<string, unknown>): Promise<{ at: { x: number; y: number }[]; out: string; frames: number; fps: number }> {
    const out = await reframe(endpoint, { video_url: smallUrl, aspect_ratio: '1:1', ...crop, ...input });
    const p = await ffprobe(out);
    assert.deepEqual([p.width, p.height], [360, 360]);
    const [outFrames, refFrames] = await Promise.all([readFrames(out, 360, 360), cropped()]);
    const at = [0, outFrames.length - 1].map((i) => findPatch(outFrames[i]!, 360, 360, refFrames[i]!, cropRect.width, cropRect.height));
    return { at, out, frames: p.frames, fps: p.fps };
  }

  test('a crop box at a grid position: found there on the first and last frame, at the source rate', async () => {
    const { at, out, frames, fps } = await landing({ grid_position_x: 21, grid_position_y: 151 });
    assert.deepEqual(at, [{ x: 21, y: 151 }, { x: 21, y: 151 }]);
    assert.equal(fps, 25);
    assert.equal(frames, 25);
    const [outFrames, refFrames] = await Promise.all([readFrames(out, 360, 360), cropped()]);
    const psnrs = outFrames.map((f, i) => rectPsnr(f, 360, { x: 21, y: 151, ...cropRect }, refFrames[i]!));
    assert.ok(Math.min(...psnrs) >= 35, `crop PSNR ${Math.min(...psnrs).toFixed(1)}`);
  });

  test('a crop box with no grid position is centred; one coordinate given, the other centred', async () => {
    assert.deepEqual((await landing({})).at[0], { x: 80, y: 101 });
    assert.deepEqual((await landing({ grid_position_x: 0 })).at[0], { x: 0, y: 101 });
    assert.deepEqual((await landing({ grid_position_y: 202 })).at[0], { x: 80, y: 202 });
  });
});

describe('image_url is the first frame', () => {
  test('frame 0 is the image, later frames are the reframed video', async () => {
    const image = path.join(dir, 'first.png');
    await makeTestImage(image, { width: 800, height: 800, seed: 21 });
    const imageUrl = await fal.storage.upload(new File([fs.readFileSync(image)], 'first.png', { type: 'image/png' }));
    const out = await reframe(ENDPOINTS[0], { video_url: sourceUrl, aspect_ratio: '1:1', image_url: imageUrl });
    const first = await lumaPsnrAgainst(out, 0, image, 540, 540);
    assert.ok(first >= 30, `first frame vs image: ${first.toFixed(1)} dB`);
    const rect = expectedPlacement(540, 540);
    const psnrs = await placedPsnrs(out, 540, 540, rect, source);
    // The image dissolves into the video over half a second (12 frames at 24 fps).
    const after = psnrs.slice(12);
    assert.ok(Math.min(...after) >= 35, `after the dissolve: ${Math.min(...after).toFixed(1)} dB`);
    assert.ok(psnrs[0]! < 30, 'frame 0 is the image, not the source');
  });
});

describe("the source's sound and a cancel", () => {
  test('audio is carried over, padded or cut to the video', async () => {
    for (const seconds of [0.6, 1.6]) {
      const withSound = path.join(dir, `sound-${seconds}.mp4`);
      await run('ffmpeg', [
        '-v', 'error', '-y', '-i', small, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`,
        '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', withSound,
      ]);
      const url = await fal.storage.upload(new File([fs.readFileSync(withSound)], 'sound.mp4', { type: 'video/mp4' }));
      const out = await reframe(ENDPOINTS[1], { video_url: url, aspect_ratio: '9:16' });
      const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,duration', '-of', 'json', out]);
      const streams = (JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string; duration: string }[] }).streams;
      const audio = streams.find((x) => x.codec_type === 'audio');
      const video = streams.find((x) => x.codec_type === 'video');
      assert.equal(audio?.codec_name, 'aac', `${seconds} s of sound`);
      assert.ok(Math.abs(Number(audio.duration) - Number(video?.duration)) < 0.05, `audio ${audio.duration} s, video ${video?.duration} s`);
    }
  });

  test('cancelling a running reframe stops ffmpeg and leaves no scratch files', async () => {
    const long = path.join(dir, 'long.mp4');
    await makeMovingSource(long, { width: 640, height: 360, seconds: 8, fps: 24, seed: 4 });
    const url = await fal.storage.upload(new File([fs.readFileSync(long)], 'long.mp4', { type: 'video/mp4' }));
    const endpoint: string = ENDPOINTS[0];
    const { request_id: requestId } = await fal.queue.submit(endpoint, { input: { video_url: url, aspect_ratio: '9:21' } });
    for (;;) {
      const status = await fal.queue.status(endpoint, { requestId });
      const fraction = (status as { progress?: { fraction: number } }).progress?.fraction ?? 0;
      if (status.status === 'IN_PROGRESS' && fraction > 0.05) break;
      assert.notEqual(status.status, 'COMPLETED', 'finished before it could be cancelled');
      await new Promise((r) => setTimeout(r, 50));
    }
    await fal.queue.cancel(endpoint, { requestId });
    for (;;) {
      const status = await fal.queue.status(endpoint, { requestId });
      if (status.status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The worker cleans up after the state changes: wait for it (generously), then look.
    // Its scratch folder (tmp/<worker>/) must keep no request folder.
    const scratch = path.join(server.dataDir, 'tmp');
    const leftovers = (): string[] => fs.readdirSync(scratch, { recursive: true }).map(String).filter((p) => p.includes(path.sep));
    for (let i = 0; i < 100 && (ffmpegChildren() > 0 || leftovers().length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ffmpegChildren(), 0, 'no ffmpeg left running');
    assert.deepEqual(leftovers(), []);
  });
});

describe('bad input answers 422 naming the field', () => {
  async function fieldOf(input: Record<string, unknown>, via: 'submit' | 'subscribe'): Promise<{ field: unknown; msg: string }> {
    const endpoint: string = ENDPOINTS[1];
    const call = via === 'submit' ? fal.queue.submit(endpoint, { input }) : fal.subscribe(endpoint, { input });
    const err = await call.then(() => assert.fail(`${JSON.stringify(input)} was accepted`), (e: unknown) => e);
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.status, 422);
    const [first] = err.fieldErrors;
    return { field: first?.loc.at(-1), msg: first?.msg ?? '' };
  }

  test('missing video_url, an inverted crop box: at submit', async () => {
    assert.equal((await fieldOf({ aspect_ratio: '1:1' }, 'submit')).field, 'video_url');
    assert.equal((await fieldOf({ video_url: sourceUrl, aspect_ratio: '1:1', y_start: 200, y_end: 100 }, 'submit')).field, 'y_end');
  });

  test('a grid position off the canvas, a crop box outside the source: once the source is probed', async () => {
    // 16:9 of a 16:9 source: the source fills the canvas, so any x > 0 leaves it.
    const off = await fieldOf({ video_url: sourceUrl, aspect_ratio: '16:9', grid_position_x: 1 }, 'subscribe');
    assert.equal(off.field, 'grid_position_x');
    assert.match(off.msg, /at most 0/);
    const low = await fieldOf({ video_url: sourceUrl, aspect_ratio: '9:16', grid_position_y: 700 }, 'subscribe');
    assert.equal(low.field, 'grid_position_y');
    const wide = await fieldOf({ video_url: sourceUrl, aspect_ratio: '1:1', x_end: 961 }, 'subscribe');
    assert.equal(wide.field, 'x_end');
    assert.match(wide.msg, /960 pixels wide/);
    assert.equal((await fieldOf({ video_url: sourceUrl, aspect_ratio: '1:1', y_start: 600 }, 'subscribe')).field, 'y_start');
  });

  test('a video_url that is not a video', async () => {
    const png = path.join(dir, 'not-video.png');
    await makeTestImage(png, { width: 64, height: 64 });
    const url = await fal.storage.upload(new File([fs.readFileSync(png)], 'clip.mp4', { type: 'video/mp4' }));
    const { field, msg } = await fieldOf({ video_url: url, aspect_ratio: '1:1' }, 'subscribe');
    assert.equal(field, 'video_url');
    assert.match(msg, /^video_url /);
  });
});
