// Engine throughput: frames/s of the renderer alone (no encoder) and of the whole pipeline, per
// size and x264 preset, on a generated test image. Run: npx node bench/engine.ts [540p|1080p ...]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFrames } from '../src/engine/frames.ts';
import { renderImageToVideo } from '../src/engine/render.ts';
import { videoSize } from '../src/engine/sizes.ts';
import type { Resolution } from '../src/engine/sizes.ts';
import { loadSource } from '../src/engine/source.ts';
import { buildTimeline } from '../src/engine/timeline.ts';
import { makeTestImage } from '../test/support/media.ts';

const FRAMES = 120;
const args = process.argv.slice(2);
const resolutions = (args.filter((a) => a.endsWith('p')) as Resolution[]).length
  ? (args.filter((a) => a.endsWith('p')) as Resolution[])
  : (['540p', '1080p'] as Resolution[]);
const presets = args.filter((a) => !a.endsWith('p'));

const dir = await mkdtemp(join(tmpdir(), 'reelhouse-bench-'));
try {
  const start = join(dir, 'start.png');
  const end = join(dir, 'end.png');
  await makeTestImage(start, { width: 3000, height: 2000, seed: 1 });
  await makeTestImage(end, { width: 3000, height: 2000, seed: 2 });
  for (const res of resolutions) {
    const { width, height } = videoSize('16:9', res);
    for (const both of [false, true]) {
      const timeline = buildTimeline({ start: true, end: both, loop: false });
      const sources = { start: await loadSource(start, width, height, [1, 1.06, 1.12]), ...(both ? { end: await loadSource(end, width, height, [1, 1.06, 1.12]) } : {}) };
      const t0 = performance.now();
      for await (const _frame of renderFrames({ timeline, sources, width, height, frames: FRAMES, loop: false })) { /* drain */ }
      const s = (performance.now() - t0) / 1000;
      console.log(`renderer ${res} ${both ? 'start+end' : 'start'}: ${(FRAMES / s).toFixed(1)} fps`);
    }
    for (const preset of presets.length ? presets : [undefined]) {
      const outPath = join(dir, `out-${res}-${preset}.mp4`);
      const t0 = performance.now();
      const r = await renderImageToVideo({ startImage: start, endImage: end, width, height, frames: FRAMES, fps: 24, loop: false, outPath, preset });
      const s = (performance.now() - t0) / 1000;
      console.log(`pipeline ${res} start+end preset=${preset ?? 'default'}: ${(FRAMES / s).toFixed(1)} fps, ${s.toFixed(1)} s, ${(r.bytes / 1024).toFixed(0)} KiB`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
