// The modify transform's speed per resolution, and the whole job beside a plain decode+encode.
// For each resolution (16:9, 2 s at 24 fps = 48 frames, the tests' moving-box source):
//   transform  — FrameModifier.process alone on decoded frames, in frames per CPU second of this
//                thread (robust to the machine's load, unlike wall time), for an edit in flex_1
//                and reimagine_3 and a prompt grade, standard and draft; the fit in CPU ms
//   job        — modifyVideo end to end (probe, decode, fit, transform, x264, mux), flex_1
//   floor      — ffmpeg decoding the same file and encoding it with the same x264 settings
//
// Run: npx node bench/modify.ts [540p 720p 1080p]
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_PRESET, x264Args } from '../src/engine/encoder.ts';
import { gradeLut, gradeOf } from '../src/engine/modify/grades.ts';
import { scaleLut } from '../src/engine/modify/lut.ts';
import { FrameModifier, type ModifierSetup } from '../src/engine/modify/modifier.ts';
import { modifyVideo } from '../src/engine/modify/modify-video.ts';
import { modeParams } from '../src/engine/modify/modes.ts';
import { coverFit } from '../src/engine/source.ts';
import { rgbToYuv } from '../src/engine/yuv.ts';
import { extractFramePng, makeEditedFrame, makeSourceVideo } from '../test/support/modify.ts';

const run = promisify(execFile);
const SIZES: Record<string, [number, number]> = { '540p': [960, 540], '720p': [1280, 720], '1080p': [1920, 1080] };
const chosen = process.argv.slice(2).filter((a) => a in SIZES);
const FPS = 24;

async function rawFrames(video: string, w: number, h: number): Promise<Uint8Array[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', video, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const size = w * h * 1.5;
  const out: Uint8Array[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) out.push(new Uint8Array(stdout.subarray(o, o + size)));
  return out;
}

const dir = await mkdtemp(join(tmpdir(), 'reelhouse-bench-modify-'));
try {
  console.log(`load average at start: ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| resolution | transform, frames per CPU second (fit, CPU ms) | job flex_1, wall | floor (decode + x264), wall |');
  console.log('|---|---|---|---|');
  for (const res of chosen.length ? chosen : Object.keys(SIZES)) {
    const [width, height] = SIZES[res]!;
    const video = await makeSourceVideo(dir, res, { width, height, fps: FPS, seconds: 2 });
    const editedPng = await makeEditedFrame(await extractFramePng(video, 0, join(dir, `${res}-first.png`)), join(dir, `${res}-edited.png`));
    const edited = rgbToYuv({ data: await coverFit(editedPng, width, height), width, height });
    const frames = await rawFrames(video, width, height);
    const cells: string[] = [];
    for (const quality of ['standard', 'draft'] as const) {
      for (const [label, mode, prompt] of [['flex_1', 'flex_1', false], ['reimagine_3', 'reimagine_3', false], ['prompt', 'flex_1', true]] as const) {
        const setup: ModifierSetup = { width, height, fps: FPS, params: modeParams(mode), draft: quality === 'draft' };
        const cpuMs = (since: NodeJS.CpuUsage): number => {
          const d = process.cpuUsage(since);
          return (d.user + d.system) / 1000;
        };
        const t0 = process.cpuUsage();
        const m = prompt
          ? FrameModifier.fromLut(scaleLut(gradeLut(gradeOf('warm vintage').grade), setup.params.promptStrength), setup)
          : FrameModifier.fromEdit(frames[0]!, edited, setup);
        const fit = cpuMs(t0);
        const t1 = process.cpuUsage();
        frames.forEach((f, i) => m.process(f, i));
        const fps = frames.length / (cpuMs(t1) / 1000);
        cells.push(`${quality} ${label} ${fps.toFixed(0)} (fit ${fit.toFixed(0)} ms)`);
      }
    }
    const t2 = performance.now();
    await modifyVideo({ video, editedImage: editedPng, mode: 'flex_1', quality: 'standard', outPath: join(dir, `${res}-out.mp4`) });
    const job = (performance.now() - t2) / 1000;
    const t3 = performance.now();
    await run('ffmpeg', ['-v', 'error', '-y', '-i', video, ...x264Args(DEFAULT_PRESET), join(dir, `${res}-floor.mp4`)]);
    const floor = (performance.now() - t3) / 1000;
    console.log(`| ${res} | ${cells.join('; ')} | ${job.toFixed(2)} s (${(frames.length / job).toFixed(0)} fps) | ${floor.toFixed(2)} s |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
