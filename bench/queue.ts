// The queue itself, end to end: many concurrent clients submit no-op jobs and wait for each to
// complete, against reelhouse (`reelhouse serve`, SQLite, in-process workers) and, in the same
// run, against BullMQ on a throwaway local Redis doing the same no-op jobs.
//
//   npx node bench/queue.ts [--jobs 3000] [--clients 16] [--workers 8] [--sync normal|full] [--only reelhouse]
//                           [--client undici|fetch]
//
// reelhouse's clients speak fal's protocol over HTTP: POST the submit, then follow the status
// stream (SSE) to COMPLETED. BullMQ's add the job and await it through QueueEvents. Each server
// side runs in its own process, as it would in use; the clients share this one.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { freePort, reelhouse as reelhouseCli, spawnServer, stopProcess } from '../test/support/process.ts';
import { tempDir } from '../test/support/server.ts';
import { startRedis } from './support/redis.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' }, clients: { type: 'string' }, workers: { type: 'string' }, sync: { type: 'string' }, only: { type: 'string' },
    client: { type: 'string' },
  },
});
// `fetch` is what most applications use; undici's own request API is what a lean client costs.
const CLIENT = values.client ?? 'undici';
if (CLIENT !== 'undici' && CLIENT !== 'fetch') throw new Error('--client must be undici or fetch');
const SYNC = values.sync ?? 'normal';
const JOBS = Number(values.jobs ?? 4000);
const CLIENTS = Number(values.clients ?? 64);
const WORKERS = Number(values.workers ?? 16);

interface Run {
  seconds: number;
  clientCpu: number;
  latencies: number[];
  startDelays: number[];
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function drive(jobs: number, clients: number, one: () => Promise<void>): Promise<{ seconds: number; latencies: number[]; clientCpu: number }> {
  let next = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < jobs) {
        next++;
        const s = performance.now();
        await one();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // The clients share the machine with the server: how much of a core they took says how much
  // of the figure is theirs.
  return { seconds, latencies, clientCpu: (cpu.user + cpu.system) / 1e6 / seconds };
}

async function waitCompleted(res: Response): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.includes('"status":"COMPLETED"')) {
      await reader.cancel();
      return;
    }
  }
  throw new Error(`stream ended without COMPLETED: ${text.slice(-200)}`);
}

async function benchReelhouse(): Promise<Run> {
  const dataDir = tempDir('reelhouse-bench-');
  const key = (await reelhouseCli(['keys', 'create', '--data-dir', dataDir])).stdout.trim();
  const server = await spawnServer(dataDir, await freePort(), {
    REELHOUSE_WORKERS: String(WORKERS), REELHOUSE_LOG_LEVEL: 'warn', REELHOUSE_SQLITE_SYNCHRONOUS: SYNC,
  });
  const headers = { authorization: `Key ${key}`, 'content-type': 'application/json' };
  const pool = new Pool(server.url, { connections: CLIENTS * 2 });
  const viaFetch = async (): Promise<void> => {
    const res = await fetch(`${server.url}/queue/reelhouse/noop`, { method: 'POST', headers, body: '{}' });
    const { request_id } = (await res.json()) as { request_id: string };
    await waitCompleted(await fetch(`${server.url}/queue/reelhouse/noop/requests/${request_id}/status/stream`, { headers }));
  };
  const viaUndici = async (): Promise<void> => {
    const res = await pool.request({ path: '/queue/reelhouse/noop', method: 'POST', headers, body: '{}' });
    const { request_id } = (await res.body.json()) as { request_id: string };
    const stream = await pool.request({ path: `/queue/reelhouse/noop/requests/${request_id}/status/stream`, method: 'GET', headers });
    let text = '';
    for await (const chunk of stream.body) {
      text += (chunk as Buffer).toString();
      if (text.includes('"status":"COMPLETED"')) break; // leaving the loop closes the stream
    }
    if (!text.includes('"status":"COMPLETED"')) throw new Error(`stream ended without COMPLETED: ${text.slice(-200)}`);
  };
  const job = CLIENT === 'fetch' ? viaFetch : viaUndici;
  await drive(200, CLIENTS, job); // warm up
  const run = await drive(JOBS, CLIENTS, job);
  await pool.close();
  await stopProcess(server.child);
  const db = new Database(path.join(dataDir, 'reelhouse.db'), { readonly: true });
  const startDelays = (db.prepare('SELECT started_at - created_at AS d FROM requests ORDER BY seq DESC LIMIT ?').all(JOBS) as { d: number }[]).map((r) => r.d);
  db.close();
  return { ...run, startDelays };
}

async function benchBullmq(): Promise<Run> {
  const port = await freePort();
  const redis = await startRedis(port);
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
    clients.push(c);
    return c;
  };
  const worker: ChildProcess = spawn(process.execPath, [path.join(import.meta.dirname, 'support', 'bullmq-worker.ts'), String(port), String(WORKERS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.once('data', () => resolve());
    worker.once('exit', (code) => reject(new Error(`the BullMQ worker exited (${code})`)));
  });
  const queue = new Queue('noop', { connection: connect() });
  queue.setMaxListeners(0);
  const events = new QueueEvents('noop', { connection: connect() });
  await events.waitUntilReady();
  const startDelays: number[] = [];
  const job = async (): Promise<void> => {
    const j = await queue.add('noop', {}, { removeOnComplete: false });
    await j.waitUntilFinished(events);
    const done = await queue.getJob(j.id!);
    if (done?.processedOn) startDelays.push(done.processedOn - done.timestamp);
  };
  await drive(200, CLIENTS, job);
  startDelays.length = 0;
  const run = await drive(JOBS, CLIENTS, job);
  await events.close();
  await queue.close();
  for (const c of clients) await c.quit().catch(() => undefined);
  await stopProcess(worker);
  await redis.stop();
  return { ...run, startDelays };
}

function row(name: string, r: Run): string {
  return `| ${name} | ${(JOBS / r.seconds).toFixed(0)} | ${Math.round(r.clientCpu * 100)} % | ${pct(r.latencies, 50).toFixed(1)} | ${pct(r.latencies, 99).toFixed(1)} | ${pct(r.startDelays, 50).toFixed(1)} | ${pct(r.startDelays, 99).toFixed(1)} |`;
}

console.log(`${JOBS} no-op jobs, ${CLIENTS} concurrent clients (${CLIENT}), ${WORKERS} worker slots, SQLite synchronous=${SYNC}`);
const rh = await benchReelhouse();
const bq = values.only === 'reelhouse' ? null : await benchBullmq();
console.log('| system | jobs/s | clients\' CPU | submit→COMPLETED p50 ms | p99 ms | submit→start p50 ms | p99 ms |');
console.log('|---|---|---|---|---|---|---|');
console.log(row(`reelhouse (HTTP + SSE, SQLite ${SYNC})`, rh));
if (bq) {
  console.log(row('BullMQ (Redis)', bq));
  console.log(`ratio reelhouse/BullMQ: throughput ${(bq.seconds / rh.seconds).toFixed(2)}×, p50 latency ${(pct(rh.latencies, 50) / pct(bq.latencies, 50)).toFixed(2)}×`);
}
