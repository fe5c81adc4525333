// The motion engine against the cost of encoding at all, and against ffmpeg's zoompan, in one run.
// For each resolution (16:9, 5 s = 120 frames, the default push-in, one image):
//   (a) engine  — renderImageToVideo, the whole job: decode, render, x264, mux
//   (b) floor   — x264 alone on the engine's own frames, the very bytes it sent to ffmpeg (captured
//                 in an untimed run), from a raw yuv420p file, same settings
//   (b') floor  — the same on the engine's output decoded back to raw: not the same frames (x264's
//                 reconstruction, ~46 dB from them), and cheaper to encode again; printed beside
//   (c) zoompan — ffmpeg's Ken Burns: zoompan over the picture, same zoom, same x264 settings
//   (d) smooth  — the usual fix for zoompan's jitter: upscale to 8000 px wide first
// Each time is the median of --runs runs (best a / best b: the fastest of each, the nearest a
// shared machine gets to a quiet one), and so is the CPU time of (a) and (b), which the
// machine's other load disturbs less. Render workers outlive a job (as in a server, the next job
// finds them warm); the first engine run of each resolution starts cold, with no idle worker, and
// is printed apart. Also: the smoothness metric of (a), (c), (d) on a short clip (raw frames), and
// the peak RSS of a 1080p 9 s job (a child process).
//
// Run: npx node bench/engine.ts [540p 720p 1080p] [--runs 3] [--image flat|textured]
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { x264Args } from '../src/engine/encoder.ts';
import { coverFit, renderImageToVideo } from '../src/engine/render.ts';
import { videoSize } from '../src/engine/sizes.ts';
import type { Resolution } from '../src/engine/sizes.ts';
import { renderFrames } from '../src/engine/frames.ts';
import { MAX_UNFILTERED_SHRINK } from '../src/engine/sampler.ts';
import { levelScales, loadSource } from '../src/engine/source.ts';
import { buildTimeline } from '../src/engine/timeline.ts';
import { closeIdleWorkers } from '../src/engine/worker-pool.ts';
import { makeTestImage } from '../test/support/media.ts';
import { makeTexturedImage, smoothness, track } from '../test/engine/measure.ts';

const run = promisify(execFile);
const FRAMES = 120;
const ZOOM = 1.12; // the default move's zoom
const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};

if (args[0] === '--rss-job') {
  // Child mode: one 1080p 9 s job, then report this process's peak RSS (workers included).
  const { width, height } = videoSize('16:9', '1080p');
  await renderImageToVideo({ startImage: args[1]!, width, height, frames: 216, fps: 24, loop: false, outPath: args[2]!, prompt: 'orbit left' });
  // VmHWM, the peak of this process's own memory. Not getrusage's maxRSS: Linux carries that over
  // exec from the forked copy of the parent, so it reads at least the parent's RSS at spawn (a
  // long bench run made a ~330 MiB job read ~500).
  let peakKiB = process.resourceUsage().maxRSS;
  try {
    peakKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? peakKiB);
  } catch {
    // not Linux: maxRSS it is
  }
  process.stdout.write(`${peakKiB}\n`);
  process.exit(0);
}

const resolutions = (args.filter((a) => /^\d+p$/.test(a)) as Resolution[]);
if (!resolutions.length) resolutions.push('540p', '720p', '1080p');
const runs = Number(opt('--runs', '3'));
const kind = opt('--image', 'textured');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}
// CPU seconds of this process (all its threads) and of its finished children (ffmpeg), from
// /proc on Linux: what a job costs whatever else the shared machine is running, which
// stretches wall-clock times and the scheduler shares out unevenly.
function cpuSeconds(): { self: number; children: number } {
  const u = process.cpuUsage();
  let children = NaN;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in clock ticks
  } catch {
    // not Linux: the CPU columns stay empty
  }
  return { self: (u.user + u.system) / 1e6, children };
}
async function cpuTimed(fn: () => Promise<unknown>): Promise<{ self: number; children: number }> {
  const c0 = cpuSeconds();
  await fn();
  const c1 = cpuSeconds();
  return { self: c1.self - c0.self, children: c1.children - c0.children };
}
const ffmpeg = (a: string[]): Promise<unknown> => run('ffmpeg', ['-hide_banner', '-v', 'error', ...a], { maxBuffer: 1 << 26 });
const toYuv709 = 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p';
const zoompan = (w: number, h: number): string =>
  `zoompan=z='1+${(ZOOM - 1).toFixed(2)}*on/${FRAMES - 1}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${FRAMES}:s=${w}x${h}:fps=24`;

const dir = await mkdtemp(join(tmpdir(), 'reelhouse-bench-'));
try {
  const image = join(dir, 'source.png');
  if (kind === 'flat') await makeTestImage(image, { width: 3000, height: 2000, seed: 1 });
  else await makeTexturedImage(image, 3000, 2000, 1);
  // zoompan gets the same 16:9 framing at the picture's own resolution, as the usual recipe does.
  const crop = join(dir, 'crop169.png');
  await sharp(await coverFit(image, 3000, 1688), { raw: { width: 3000, height: 1688, channels: 3 } }).png().toFile(crop);
  console.log(`bench/engine: ${kind} 3000x2000 source, 16:9, ${FRAMES} frames, default push-in to ${ZOOM}, x264 ${x264Args().slice(3, 6).join(' ')}, median of ${runs}`);
  const rows: string[] = [];
  const cpuRows: string[] = [];
  const smooth: string[] = [];
  for (const res of resolutions) {
    const { width, height } = videoSize('16:9', res);
    const out = (name: string): string => join(dir, `${res}-${name}.mp4`);
    const raw = join(dir, `${res}.yuv`);
    const decoded = join(dir, `${res}-decoded.yuv`);
    const t = { engine: [] as number[], floor: [] as number[], decoded: [] as number[], zoompan: [] as number[], smooth: [] as number[] };
    const cpu = { node: [] as number[], ffmpeg: [] as number[], floor: [] as number[], decoded: [] as number[] };
    const job = (onFrame?: (frame: Uint8Array) => void): Promise<unknown> =>
      renderImageToVideo({ startImage: image, width, height, frames: FRAMES, fps: 24, loop: false, outPath: out('engine'), ...(onFrame ? { onFrame } : {}) });
    // The floor's frames: the bytes the engine hands ffmpeg, written out in a run of its own (the
    // engine is deterministic: every run sends the same frames), and its output decoded back.
    const file = createWriteStream(raw);
    await job((frame) => void file.write(Buffer.from(frame))); // a copy: the frame's slot is reused
    await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await ffmpeg(['-i', out('engine'), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', decoded]);
    await closeIdleWorkers();
    const encode = (input: string) => (): Promise<unknown> =>
      ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-framerate', '24', '-i', input, ...x264Args(), '-y', out('floor')]);
    for (let r = 0; r < runs; r++) {
      let c = await cpuTimed(async () => t.engine.push(await timed(() => job())));
      cpu.node.push(c.self);
      cpu.ffmpeg.push(c.children);
      c = await cpuTimed(async () => t.floor.push(await timed(encode(raw))));
      cpu.floor.push(c.children);
      c = await cpuTimed(async () => t.decoded.push(await timed(encode(decoded))));
      cpu.decoded.push(c.children);
      t.zoompan.push(await timed(() => ffmpeg(['-i', crop, '-vf', `${zoompan(width, height)},${toYuv709}`, '-frames:v', String(FRAMES), ...x264Args(), '-y', out('zoompan')])));
      t.smooth.push(await timed(() => ffmpeg(['-i', crop, '-vf', `scale=8000:-1,${zoompan(width, height)},${toYuv709}`, '-frames:v', String(FRAMES), ...x264Args(), '-y', out('smooth')])));
    }
    const [e, f, d, z, s] = [median(t.engine), median(t.floor), median(t.decoded), median(t.zoompan), median(t.smooth)];
    const best = Math.min(...t.engine) / Math.min(...t.floor);
    rows.push(`| ${res} | ${e.toFixed(2)} s | ${f.toFixed(2)} s | **${(e / f).toFixed(2)}×** | ${best.toFixed(2)}× | ${d.toFixed(2)} s | ${(e / d).toFixed(2)}× | ${z.toFixed(2)} s | ${s.toFixed(2)} s | **${(s / e).toFixed(1)}×** | ${t.engine[0]!.toFixed(2)} s |`);
    console.log(rows.at(-1));
    const [cn, cf, cb, cd] = [median(cpu.node), median(cpu.ffmpeg), median(cpu.floor), median(cpu.decoded)];
    cpuRows.push(`| ${res} | ${cn.toFixed(2)} s | ${cf.toFixed(2)} s | ${cb.toFixed(2)} s | **${((cn + cf) / cb).toFixed(2)}×** | ${cd.toFixed(2)} s | ${((cn + cf) / cd).toFixed(2)}× |`);
    console.log(cpuRows.at(-1));
  }
  // Smoothness on a 2 s clip at 960×540 (raw frames): x264 at CRF 18 leaves a little temporal
  // noise in fine texture, and a slow move's per-frame speed would sink under the tracker's own
  // noise; the same settings as test/engine/smoothness.test.ts.
  {
    const [w, h, n] = [960, 540, 48];
    const points: [number, number][] = [];
    for (const fy of [0.25, 0.5, 0.75]) for (const fx of [0.25, 0.5, 0.75]) if (fx !== 0.5 || fy !== 0.5) points.push([fx, fy]);
    const zp = `zoompan=z='1+${(ZOOM - 1).toFixed(2)}*on/${n - 1}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${n}:s=${w}x${h}:fps=24`;
    const gray = async (vf: string): Promise<Uint8Array[]> => {
      const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', crop, '-vf', `${vf},format=gray`, '-frames:v', String(n), '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
      return Array.from({ length: n }, (_, i) => new Uint8Array(stdout.buffer, stdout.byteOffset + i * w * h, w * h));
    };
    const engineFrames: Uint8Array[] = [];
    const source = await loadSource(image, w, h, levelScales(ZOOM, MAX_UNFILTERED_SHRINK));
    for await (const f of renderFrames({ timeline: buildTimeline({ start: true, end: false, loop: false }), sources: { start: source }, width: w, height: h, frames: n, loop: false })) {
      engineFrames.push(f.subarray(0, w * h));
    }
    smooth.push(`smoothness, ${w}x${h} ${n} frames, raw, 8 points (back-steps > 0.25 px; jerk = RMS 2nd difference / mean speed):`, '| | back-steps median (worst) | jerk median (worst) |', '|---|---|---|');
    for (const [name, frames] of [['(a) engine', engineFrames], ['(c) zoompan', await gray(zp)], ['(d) zoompan, upscaled', await gray(`scale=8000:-1,${zp}`)]] as const) {
      const m = smoothness(track(frames, w, h, points));
      smooth.push(`| ${name} | ${m.medianBackSteps} (${m.backSteps}) | ${m.medianJerk.toFixed(2)} (${m.jerk.toFixed(2)}) |`);
    }
  }
  console.log("\n| resolution | (a) engine | (b) x264 floor | a/b | best a / best b | (b') floor, decoded back | a/b' | (c) zoompan | (d) zoompan, upscaled first | d/a | (a), cold start |\n|---|---|---|---|---|---|---|---|---|---|---|");
  console.log(rows.join('\n'));
  console.log("\nCPU time, median of the runs:\n| resolution | (a) node process | (a) its ffmpeg | (b) floor's ffmpeg | (a) / (b) | (b') decoded back | (a) / (b') |\n|---|---|---|---|---|---|---|");
  console.log(cpuRows.join('\n'));
  console.log(`\n${smooth.join('\n')}`);
  // Peak memory of a long, large job, in a fresh process so nothing above counts.
  const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname, '--rss-job', image, join(dir, 'rss.mp4')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  console.log(`\npeak RSS, 1080p 9 s (216 frames, orbit left), node process incl. render worker: ${(Number(output.trim()) / 1024).toFixed(0)} MiB`);
  await writeFile(join(dir, 'done'), '');
} finally {
  await rm(dir, { recursive: true, force: true });
}
