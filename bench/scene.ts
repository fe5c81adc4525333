// The scene runner's speed: for each resolution (16:9) and a few prompts, (a) drawing alone — frames
// per second of SceneRenderer on the calling thread, and (b) the whole job — renderTextToVideo, 5 s
// (120 frames) to a finished MP4, standard and draft. Each figure is the median of --runs runs.
//
// Run: npx node bench/scene.ts [540p 720p 1080p] [--runs 3] [--prompt "..."]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SceneRenderer } from '../src/engine/scene/renderer.ts';
import { renderTextToVideo } from '../src/engine/scene/render-scene.ts';
import { readScene } from '../src/engine/scene/words.ts';
import { videoSize } from '../src/engine/sizes.ts';
import type { Resolution } from '../src/engine/sizes.ts';
import { cameraWords } from '../src/engine/vocabulary.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const runs = Number(opt('--runs', '3'));
const resolutions = args.filter((a) => /^\d+p$/.test(a)) as Resolution[];
const prompts = args.includes('--prompt') ? [opt('--prompt', '')] : ['sunset over the ocean', 'snowy night in the city', 'neon rain'];
const FRAMES = 120;
const DRAW_FRAMES = 36;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const dir = await mkdtemp(join(tmpdir(), 'reelhouse-bench-scene-'));
console.log('| resolution | prompt | draw only (fps, 1 thread) | whole job, standard | whole job, draft |');
console.log('|---|---|---|---|---|');
try {
  for (const res of resolutions.length ? resolutions : (['540p', '720p', '1080p'] as const)) {
    const { width, height } = videoSize('16:9', res);
    for (const prompt of prompts) {
      const renderer = new SceneRenderer({ spec: readScene(prompt), camera: cameraWords(prompt), width, height, frames: FRAMES, fps: 24, loop: false });
      const frame = new Uint8Array(renderer.frameBytes);
      const draw: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        for (let i = 0; i < DRAW_FRAMES; i++) renderer.render((i * 7) % FRAMES, frame);
        draw.push((DRAW_FRAMES * 1000) / (performance.now() - t0));
      }
      const job = async (draft: boolean): Promise<number> => {
        const times: number[] = [];
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          await renderTextToVideo({ prompt, width, height, frames: FRAMES, fps: 24, loop: false, draft, outPath: join(dir, 'out.mp4'), ...(draft ? { preset: 'superfast' } : {}) });
          times.push((performance.now() - t0) / 1000);
        }
        return median(times);
      };
      const standard = await job(false);
      const draft = await job(true);
      const fps = (s: number): string => `${s.toFixed(2)} s (${(FRAMES / s).toFixed(0)} fps)`;
      console.log(`| ${res} | ${prompt} | ${median(draw).toFixed(0)} | ${fps(standard)} | ${fps(draft)} |`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
