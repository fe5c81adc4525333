// The quick start: serve, then generate a video from an image through the official client.
//
//   npm run demo                     # a generated landscape as the input image
//   npm run demo -- photo.jpg        # your own image
//   npm run demo -- photo.jpg "slow push in" 9:16 720p
//
// It starts `reelhouse serve` on a free port with ./reelhouse-data, creates a key, runs the seed
// page's `fal.subscribe` snippet against it and writes the video to ./output.mp4.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { fal } from '@fal-ai/client';
import sharp from 'sharp';
import { reelhouseConfig } from '../src/client.ts';

const ROOT = path.join(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'reelhouse.js');
const DATA = path.join(ROOT, 'reelhouse-data');

const [imageArg, prompt = 'A calm lake at dawn, slow push in', aspect = '16:9', resolution = '540p'] = process.argv.slice(2);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A small landscape, so the demo needs no file of yours. */
async function sampleImage(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1d2b64"/><stop offset="1" stop-color="#f8cdda"/></linearGradient>
    <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f3b6c8"/><stop offset="1" stop-color="#203a70"/></linearGradient></defs>
    <rect width="1600" height="640" fill="url(#sky)"/><circle cx="1180" cy="250" r="80" fill="#ffe9a8"/>
    <polygon points="0,640 260,330 470,520 700,260 980,560 1220,380 1600,640" fill="#2c2a4a"/>
    <polygon points="0,640 180,470 380,600 620,430 900,640" fill="#4f4a76"/>
    <rect y="640" width="1600" height="360" fill="url(#lake)"/>
    <g stroke="#fff" stroke-opacity="0.35" stroke-width="3">${Array.from({ length: 24 }, (_, i) => `<line x1="${(i * 137) % 1500}" y1="${670 + ((i * 53) % 300)}" x2="${((i * 137) % 1500) + 90}" y2="${670 + ((i * 53) % 300)}"/>`).join('')}</g>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer();
}

const run = promisify(execFile);
const { stdout } = await run(process.execPath, [BIN, 'keys', 'create', '--data-dir', DATA, '--label', 'quickstart']);
const key = stdout.trim();
const port = await freePort();
const server = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', DATA], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, REELHOUSE_LOG_LEVEL: process.env.REELHOUSE_LOG_LEVEL ?? 'warn' },
});
const url = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error(`reelhouse serve exited with code ${server.exitCode}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300) throw new Error('reelhouse serve did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`reelhouse is serving on ${url}`);

  // The one config change an application makes.
  fal.config(reelhouseConfig({ url, credentials: key }));

  const bytes = imageArg ? fs.readFileSync(imageArg) : await sampleImage();
  const image = new File([new Uint8Array(bytes)], imageArg ? path.basename(imageArg) : 'lake.jpg', { type: imageArg ? '' : 'image/jpeg' });
  const started = Date.now();
  let printed = 0; // each status carries every log line so far; print the new ones
  const result = await fal.subscribe('fal-ai/luma-dream-machine/ray-2/image-to-video', {
    input: { prompt, image_url: image, aspect_ratio: aspect as '16:9', resolution: resolution as '540p' },
    logs: true,
    onQueueUpdate: (update) => {
      if (update.status === 'IN_PROGRESS') {
        update.logs.slice(printed).forEach((log) => console.log(`  ${log.message}`));
        printed = update.logs.length;
      }
    },
  });
  const video = (result.data as { video: { url: string; file_size: number } }).video;
  const out = path.resolve('output.mp4');
  fs.writeFileSync(out, Buffer.from(await (await fetch(video.url)).arrayBuffer()));
  console.log(`request ${result.requestId} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`video: ${video.url} (${video.file_size} bytes)`);
  console.log(`saved: ${out}`);
} finally {
  server.kill('SIGTERM');
}
