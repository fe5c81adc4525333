// Scaling out: jobs/s with 1, 2 and 4 `reelhouse worker` processes on one PostgreSQL, for no-op
// jobs (the queue's own cost) and for 540p image-to-video jobs (the work users run), and in the
// same run the no-op jobs on BullMQ with Redis with as many worker processes.
//
//   npx node bench/scale.ts [--jobs 1500] [--videos 8] [--clients 64] [--slots 8] [--processes 1,2,4]
//
// reelhouse: one edge server (`serve --no-workers`) takes the submits and streams the statuses;
// the worker processes each run `--slots` no-op jobs at once (one 540p job at a time: a render
// already uses two threads and ffmpeg). All processes share one data directory for their blobs (one
// host, so the local file system stands in for S3). Clients submit and follow the status stream
// to COMPLETED, as in bench/queue.ts. BullMQ: `queue.add`, then `waitUntilFinished`, against N
// worker processes of `--slots` concurrency each.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { Pool } from 'undici';
import { testImageSvg } from '../test/support/media.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { freePort, reelhouse as reelhouseCli, spawnServer, stopProcess } from '../test/support/process.ts';
import { tempDir } from '../test/support/server.ts';
import { startRedis } from './support/redis.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' }, videos: { type: 'string' }, clients: { type: 'string' }, slots: { type: 'string' },
    processes: { type: 'string' },
  },
});
const JOBS = Number(values.jobs ?? 1500);
const VIDEOS = Number(values.videos ?? 8);
const CLIENTS = Number(values.clients ?? 64);
const SLOTS = Number(values.slots ?? 8);
const PROCESSES = (values.processes ?? '1,2,4').split(',').map(Number);
const BIN = path.join(import.meta.dirname, '..', 'bin', 'reelhouse.js');
const I2V = 'fal-ai/luma-dream-machine/ray-2/image-to-video';

async function drive(jobs: number, clients: number, one: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(clients, jobs) }, async () => {
    while (next < jobs) {
      next++;
      await one();
    }
  }));
  return jobs / ((performance.now() - t0) / 1000);
}

async function spawnWorker(dataDir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--data-dir', dataDir], {
    // info: the line that says it is ready.
    env: { ...process.env, ...env, REELHOUSE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('reelhouse worker is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`reelhouse worker exited (${code})`)));
  });
  child.stdout.resume();
  return child;
}

async function benchReelhouse(): Promise<{ noop: number[]; video: number[] }> {
  const pg = await startPostgres();
  const databaseUrl = await pg.createDatabase();
  const dataDir = tempDir('reelhouse-scale-');
  const env = { DATABASE_URL: databaseUrl, REELHOUSE_LOG_LEVEL: 'warn' };
  const key = (await reelhouseCli(['keys', 'create', '--data-dir', dataDir], env)).stdout.trim();
  const server = await spawnServer(dataDir, await freePort(), { ...env, REELHOUSE_WORKERS: '0' });
  const headers = { authorization: `Key ${key}`, 'content-type': 'application/json' };
  const pool = new Pool(server.url, { connections: CLIENTS * 2 });
  const jpeg = await sharp(Buffer.from(testImageSvg(1280, 720, 3))).jpeg({ quality: 90 }).toBuffer();
  const image = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  const job = (endpoint: string, body: string) => async (): Promise<void> => {
    const res = await pool.request({ path: `/queue/${endpoint}`, method: 'POST', headers, body });
    const { request_id } = (await res.body.json()) as { request_id: string };
    const app = endpoint.split('/').slice(0, 2).join('/');
    const stream = await pool.request({ path: `/queue/${app}/requests/${request_id}/status/stream`, method: 'GET', headers });
    let text = '';
    for await (const chunk of stream.body) {
      text += (chunk as Buffer).toString();
      if (text.includes('"status":"COMPLETED"')) break;
    }
    if (!text.includes('"status":"COMPLETED"')) throw new Error(`stream ended without COMPLETED: ${text.slice(-200)}`);
  };
  const noop = job('reelhouse/noop', '{}');
  const video = job(I2V, JSON.stringify({ prompt: 'slow push in', image_url: image, resolution: '540p' }));
  const out = { noop: [] as number[], video: [] as number[] };
  try {
    for (const n of PROCESSES) {
      let workers = await Promise.all(Array.from({ length: n }, () => spawnWorker(dataDir, { ...env, REELHOUSE_WORKERS: String(SLOTS) })));
      await drive(200, CLIENTS, noop); // warm-up
      out.noop.push(await drive(JOBS, CLIENTS, noop));
      await Promise.all(workers.map((w) => stopProcess(w)));
      workers = await Promise.all(Array.from({ length: n }, () => spawnWorker(dataDir, { ...env, REELHOUSE_WORKERS: '1' })));
      await drive(n, n, video); // warm-up: one render per process
      out.video.push(await drive(VIDEOS, VIDEOS, video));
      await Promise.all(workers.map((w) => stopProcess(w)));
      console.error(`reelhouse, ${n} worker process(es): ${out.noop.at(-1)!.toFixed(0)} no-op jobs/s, ${out.video.at(-1)!.toFixed(2)} 540p jobs/s`);
    }
  } finally {
    await pool.close();
    await stopProcess(server.child);
    await pg.stop();
  }
  return out;
}

async function benchBullmq(): Promise<number[]> {
  const port = await freePort();
  const redis = await startRedis(port);
  const connections: Redis[] = [];
  const connect = (): Redis => {
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
    connections.push(c);
    return c;
  };
  const queue = new Queue('noop', { connection: connect() });
  queue.setMaxListeners(0);
  const events = new QueueEvents('noop', { connection: connect() });
  await events.waitUntilReady();
  const job = async (): Promise<void> => {
    const j = await queue.add('noop', {}, { removeOnComplete: false }); // waitUntilFinished reads the finished job
    await j.waitUntilFinished(events);
  };
  const out: number[] = [];
  try {
    for (const n of PROCESSES) {
      const workers = await Promise.all(Array.from({ length: n }, async () => {
        const w = spawn(process.execPath, [path.join(import.meta.dirname, 'support', 'bullmq-worker.ts'), String(port), String(SLOTS)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        await new Promise<void>((resolve, reject) => {
          w.stdout.once('data', () => resolve());
          w.once('exit', (code) => reject(new Error(`the BullMQ worker exited (${code})`)));
        });
        return w;
      }));
      await drive(200, CLIENTS, job);
      out.push(await drive(JOBS, CLIENTS, job));
      await Promise.all(workers.map((w) => stopProcess(w)));
      console.error(`BullMQ, ${n} worker process(es): ${out.at(-1)!.toFixed(0)} no-op jobs/s`);
    }
  } finally {
    await events.close();
    await queue.close();
    for (const c of connections) await c.quit().catch(() => undefined);
    await redis.stop();
  }
  return out;
}

console.log(`${JOBS} no-op jobs and ${VIDEOS} 540p image-to-video jobs per setting, ${CLIENTS} concurrent clients, ` +
  `${SLOTS} no-op slots per worker process (1 for video)`);
const rh = await benchReelhouse();
const bq = await benchBullmq();
console.log('| worker processes | reelhouse no-op jobs/s | BullMQ no-op jobs/s | reelhouse/BullMQ | reelhouse 540p jobs/s |');
console.log('|---|---|---|---|---|');
PROCESSES.forEach((n, i) => {
  const [r, b, v] = [rh.noop[i]!, bq[i]!, rh.video[i]!];
  console.log(`| ${n} | ${r.toFixed(0)} | ${b.toFixed(0)} | ${(r / b).toFixed(2)}× | ${v.toFixed(2)} |`);
});
const scale = (xs: number[]): string => xs.map((x) => `${(x / xs[0]!).toFixed(2)}×`).join(' / ');
console.log(`scaling over ${PROCESSES.join(' / ')} processes: reelhouse no-op ${scale(rh.noop)}, BullMQ no-op ${scale(bq)}, reelhouse 540p ${scale(rh.video)}`);
