// A scaled-out deployment on loopback, as its users run it: two edge-only servers (`serve
// --no-workers`) and three `reelhouse worker` processes sharing one PostgreSQL and one S3 bucket
// (Swift's S3 API). 200 requests go through both servers with the real client, each one's status
// stream and result read from the server that did not accept its submit; mid-run one worker and one
// server die by SIGKILL (the server comes back, as systemd would bring it back). Every request
// completes exactly once; every webhook is delivered, and recorded, once (sent a second time only
// if it was in flight in a killed process: at least once, as fal's); every output file reads the
// same from both servers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createFalClient, type FalClient, type QueueStatus } from '@fal-ai/client';
import pg from 'pg';
import { reelhouseConfig } from '../src/client.ts';
import { ffprobe, makeTestImage } from './support/media.ts';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.ts';
import { freePort, reelhouse, spawnServer, stopProcess, type ServerProcess } from './support/process.ts';
import { tempDir } from './support/server.ts';
import { startSwift, type ThrowawaySwift } from './support/swift.ts';

const BIN = path.join(import.meta.dirname, '..', 'bin', 'reelhouse.js');
const NOOP = 'reelhouse/noop';
const I2V = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const TOTAL = Number(process.env.MP_TOTAL ?? 200);
const VIDEOS = 6;
const KILL_AFTER = Math.round(TOTAL * 0.3); // completed requests before the kills

let postgres: ThrowawayPostgres;
let swift: ThrowawaySwift;
const children = new Set<ChildProcess>();

before(async () => {
  [postgres, swift] = await Promise.all([startPostgres(), startSwift()]);
});
after(async () => {
  for (const c of children) await stopProcess(c, 'SIGKILL');
  await swift?.stop();
  await postgres?.stop();
});

/** Starts `reelhouse worker` and resolves once it says it is ready. */
async function spawnWorker(dataDir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--data-dir', dataDir], {
    env: { ...process.env, REELHOUSE_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('reelhouse worker is ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`reelhouse worker exited with ${code}:\n${output}`)));
  });
  return child;
}

let failed = false;

/** Retries `fn` while a process it talks to is down (or restarting); gives up after a minute. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await fn();
    } catch (err) {
      if (tries >= 200 || failed) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Counts webhook deliveries per request id, checking each signature against the deployment's keys. */
async function webhookReceiver(): Promise<{
  url: string; counts: Map<string, number>; firstAt: Map<string, number>; bodies: Map<string, { headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}> {
  const counts = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const bodies = new Map<string, { headers: http.IncomingHttpHeaders; body: string }>();
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { request_id: string }).request_id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      if (!firstAt.has(id)) firstAt.set(id, Date.now());
      bodies.set(id, { headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hook`, counts, firstAt, bodies, close: () => new Promise((r) => srv.close(() => r())) };
}

interface Outcome {
  requestId: string;
  submittedTo: number;
  statuses: QueueStatus[];
  result: unknown;
  /** When the client was busy with it, submit to result. */
  during: [number, number];
}

test('2 servers, 3 workers, PostgreSQL and S3: 200 requests through both servers survive a killed worker and a killed server', { timeout: 600_000 }, async () => {
  const databaseUrl = await postgres.createDatabase();
  const bucket = await swift.createBucket();
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  // What every process of a deployment shares: the database, the bucket, the file-URL secret and
  // the public address (in production a load balancer; here server 0, which comes back).
  const shared: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl, ...swift.env(bucket),
    REELHOUSE_FILE_URLS: 'signed', REELHOUSE_FILE_URL_SECRET: 'a-secret-every-process-of-the-deployment-shares',
    REELHOUSE_LEASE_MS: '4000', REELHOUSE_WEBHOOK_BASE_DELAY_MS: '500',
  };
  const key = (await reelhouse(['keys', 'create', '--data-dir', tempDir()], shared)).stdout.trim();
  const serverEnv = (i: number): NodeJS.ProcessEnv => ({ ...shared, REELHOUSE_WORKERS: '0', REELHOUSE_PUBLIC_URL: urls[i] });
  const dirs = [tempDir(), tempDir()];
  const servers: ServerProcess[] = [];
  for (const i of [0, 1]) {
    servers[i] = await spawnServer(dirs[i]!, ports[i]!, serverEnv(i));
    children.add(servers[i].child);
  }
  const workers: ChildProcess[] = [];
  for (let i = 0; i < 3; i++) workers.push(await spawnWorker(tempDir(), { ...shared, REELHOUSE_WORKERS: '4', REELHOUSE_PUBLIC_URL: urls[0] }));
  const hooks = await webhookReceiver();
  const clients: FalClient[] = urls.map((url) => createFalClient(reelhouseConfig({ url, credentials: key })));

  try {
    const imgPath = path.join(tempDir(), 'start.png');
    await makeTestImage(imgPath, { width: 1280, height: 720, seed: 3 });
    const imageUrl = await clients[1]!.storage.upload(new File([fs.readFileSync(imgPath)], 'start.png', { type: 'image/png' }));

    let completed = 0;
    const kills: Promise<void>[] = [];
    const outage = [Infinity, Infinity];
    const killSome = async (): Promise<void> => {
      outage[0] = Date.now();
      workers[0]!.kill('SIGKILL');
      servers[0]!.child.kill('SIGKILL');
      await new Promise((r) => servers[0]!.child.once('exit', r));
      await new Promise((r) => setTimeout(r, 1000)); // systemd's RestartSec
      servers[0] = await spawnServer(dirs[0]!, ports[0]!, serverEnv(0));
      children.add(servers[0].child);
      outage[1] = Date.now();
    };

    const one = async (i: number): Promise<Outcome> => {
      const video = i % Math.floor(TOTAL / VIDEOS) === 0 && i / Math.floor(TOTAL / VIDEOS) < VIDEOS;
      const endpoint = video ? I2V : NOOP;
      const input = video
        ? { prompt: 'slow push in', image_url: imageUrl, resolution: '540p' }
        : { sleep_ms: 200 + ((i * 37) % 1000), steps: 3 };
      const submittedTo = i % 2;
      const reader = clients[1 - submittedTo]!;
      // The idempotency key makes a submit safe to repeat when its answer was lost with a server.
      const began = Date.now();
      const { request_id: requestId } = await retrying(() => {
        return clients[submittedTo]!.queue.submit(endpoint, { input: input as never, webhookUrl: hooks.url, headers: { 'idempotency-key': `mp-${i}` } });
      });
      const statuses = await retrying(async () => {
        const seen: QueueStatus[] = [];
        const stream = await reader.queue.streamStatus(endpoint, { requestId, logs: true });
        stream.on('data', (s: QueueStatus) => seen.push(s));
        await stream.done(); // rejects when the server goes away mid-stream: then read again
        if (seen.at(-1)?.status !== 'COMPLETED') throw new Error('the stream ended early');
        return seen;
      });
      const status = await retrying(() => reader.queue.status(endpoint, { requestId }));
      assert.equal(status.status, 'COMPLETED');
      const result: unknown = (await retrying(() => reader.queue.result(endpoint, { requestId }))).data;
      if (++completed === KILL_AFTER) kills.push(killSome());
      return { requestId, submittedTo, statuses, result, during: [began, Date.now()] };
    };

    const outcomes: Outcome[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 40 }, async () => {
      try {
        while (next < TOTAL && !failed) outcomes.push(await one(next++));
      } catch (err) {
        failed = true; // the other clients stop too, so the failure is reported now
        throw new Error(`${String(err)} ${JSON.stringify((err as { body?: unknown }).body)}`, { cause: err });
      }
    }));
    await Promise.all(kills);

    // All 200 finished, each exactly once, and the killed worker's requests ran again elsewhere.
    const ids = outcomes.map((o) => o.requestId);
    assert.equal(new Set(ids).size, TOTAL);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM requests GROUP BY state');
      assert.deepEqual(rows.map((r) => [r.state, Number(r.n)]), [['succeeded', TOTAL]]);
      const completions = await db.query<{ request_id: string; n: string }>(
        "SELECT request_id, count(*) AS n FROM request_logs WHERE message = 'Completed' GROUP BY request_id");
      assert.equal(completions.rows.length, TOTAL);
      assert.ok(completions.rows.every((r) => Number(r.n) === 1), 'one completion per request');
      const rerun = await db.query<{ n: string }>('SELECT count(*) AS n FROM requests WHERE attempts > 1');
      assert.ok(Number(rerun.rows[0]!.n) >= 1, 'the killed worker had requests in hand, which ran again');

      // Every stream, read from the other server, saw one COMPLETED. Progress made on a worker
      // elsewhere: every render's stream shows it, unless the server it used was down meanwhile
      // (the client, which retries on its own, may have come back after the run). A no-op of a
      // few hundred milliseconds may end before a loaded client opens its stream, so most do.
      const undisturbed = outcomes.filter((o) => o.during[1] < outage[0]! || o.during[0] > outage[1]!);
      for (const o of outcomes) assert.equal(o.statuses.filter((s) => s.status === 'COMPLETED').length, 1, o.requestId);
      const progressed = (o: Outcome): boolean => o.statuses.some((s) => s.status === 'IN_PROGRESS' && 'progress' in s);
      for (const o of undisturbed) {
        if ((o.result as { video?: unknown }).video) assert.ok(progressed(o), `${o.requestId}: ${JSON.stringify(o.statuses)}`);
      }
      assert.ok(undisturbed.length >= TOTAL / 2, `${undisturbed.length} requests before or after the outage`);
      assert.ok(undisturbed.filter(progressed).length > undisturbed.length / 2, `${undisturbed.filter(progressed).length} of ${undisturbed.length} streams showed progress`);

      // Webhooks: each delivered exactly once, signed with the deployment's one key.
      for (let t = 0; ; t++) {
        const { rows: pending } = await db.query("SELECT id FROM requests WHERE webhook_state IS DISTINCT FROM 'delivered'");
        if (pending.length === 0) break;
        assert.ok(t < 600, `webhooks still pending: ${pending.length}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual([...ids].sort(), [...hooks.counts.keys()].sort());
      // Exactly once, except what SIGKILL makes impossible to know: a process killed after the
      // receiver answered but before it recorded the delivery leaves it to be sent again once its
      // lease lapses (at least once, as fal's webhooks; receivers key on the request id). So a
      // second delivery is allowed only of a webhook first delivered when the kills struck, and
      // every webhook was recorded as delivered by exactly one attempt.
      const twice = [...hooks.counts].filter(([, n]) => n !== 1).map(([id]) => id);
      for (const id of twice) {
        assert.equal(hooks.counts.get(id), 2, id);
        assert.ok(Math.abs(hooks.firstAt.get(id)! - outage[0]!) < 2000, `${id}: delivered twice, first at ${hooks.firstAt.get(id)}, kills at ${outage[0]}`);
      }
      const { rows: attempts } = await db.query<{ n: string }>('SELECT count(*) AS n FROM webhook_attempts GROUP BY request_id');
      assert.equal(attempts.length, TOTAL);
      assert.ok(attempts.every((a) => Number(a.n) === 1), 'one recorded attempt per webhook');
    } finally {
      await db.end();
    }
    const { keys } = (await (await fetch(`${urls[1]}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    for (const { headers: h, body } of hooks.bodies.values()) {
      const message = Buffer.from([h['x-fal-webhook-request-id'], h['x-fal-webhook-user-id'], h['x-fal-webhook-timestamp'],
        createHash('sha256').update(body).digest('hex')].join('\n'));
      const signature = Buffer.from(String(h['x-fal-webhook-signature']), 'hex');
      assert.ok(keys.some((k) => verify(null, message, createPublicKey({ key: k, format: 'jwk' }), signature)));
    }

    // Every output file reads the same, whole, from both servers.
    const videos = outcomes.filter((o) => (o.result as { video?: unknown }).video);
    assert.equal(videos.length, VIDEOS);
    for (const o of videos) {
      const file = (o.result as { video: { url: string; file_size: number } }).video;
      const bodies = await Promise.all(urls.map(async (base) => {
        const u = new URL(file.url);
        const res = await fetch(`${base}${u.pathname}${u.search}`);
        assert.equal(res.status, 200, `${base}: ${file.url}`);
        return Buffer.from(await res.arrayBuffer());
      }));
      assert.equal(bodies[0]!.length, file.file_size);
      assert.ok(bodies[0]!.equals(bodies[1]!));
      assert.equal(bodies[0]!.subarray(4, 8).toString(), 'ftyp');
    }
    const mp4 = path.join(tempDir(), 'out.mp4');
    fs.writeFileSync(mp4, Buffer.from(await (await fetch((videos[0]!.result as { video: { url: string } }).video.url)).arrayBuffer()));
    const probe = await ffprobe(mp4);
    assert.deepEqual([probe.width, probe.height], [960, 540]);
  } finally {
    await hooks.close();
    for (const c of [...workers, ...servers.map((s) => s.child)]) await stopProcess(c);
  }
});

test('SIGTERM: a worker gives its running request back to the queue, unspent, and exits; another worker takes it, a cancel stops it', { timeout: 120_000 }, async () => {
  const databaseUrl = await postgres.createDatabase();
  const env = { DATABASE_URL: databaseUrl };
  const key = (await reelhouse(['keys', 'create', '--data-dir', tempDir()], env)).stdout.trim();
  const server = await spawnServer(tempDir(), await freePort(), { ...env, REELHOUSE_WORKERS: '0' });
  children.add(server.child);
  const first = await spawnWorker(tempDir(), env);
  try {
    const client = createFalClient(reelhouseConfig({ url: server.url, credentials: key }));
    const { request_id: requestId } = await client.queue.submit(NOOP, { input: { sleep_ms: 60_000, steps: 60 } as never });
    while ((await client.queue.status(NOOP, { requestId })).status !== 'IN_PROGRESS') await new Promise((r) => setTimeout(r, 50));
    const exit = new Promise<number | null>((r) => first.once('exit', r));
    first.kill('SIGTERM');
    assert.equal(await exit, 0);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ state: string; attempts: number }>('SELECT state, attempts FROM requests WHERE id = $1', [requestId]);
      assert.deepEqual(rows, [{ state: 'queued', attempts: 0 }]);
      const second = await spawnWorker(tempDir(), env);
      try {
        while ((await client.queue.status(NOOP, { requestId })).status !== 'IN_PROGRESS') await new Promise((r) => setTimeout(r, 50));
        const running = await db.query<{ attempts: number }>('SELECT attempts FROM requests WHERE id = $1', [requestId]);
        assert.equal(running.rows[0]?.attempts, 1, 'the release spent no attempt');
        await client.queue.cancel(NOOP, { requestId }); // from the edge to the worker process, by NOTIFY
        const done = await client.queue.subscribeToStatus(NOOP, { requestId, mode: 'streaming' });
        assert.equal(done.status, 'COMPLETED');
        const after = await db.query<{ state: string }>('SELECT state FROM requests WHERE id = $1', [requestId]);
        assert.equal(after.rows[0]?.state, 'cancelled');
      } finally {
        await stopProcess(second);
      }
    } finally {
      await db.end();
    }
  } finally {
    await stopProcess(server.child);
  }
});

test('reelhouse worker without DATABASE_URL says what it needs; --workers and --no-workers do not mix', async () => {
  await assert.rejects(reelhouse(['worker', '--data-dir', tempDir()], { DATABASE_URL: '' }),
    (err: { code?: number; stderr?: string }) => err.code === 2 && /set DATABASE_URL/.test(err.stderr ?? ''));
  await assert.rejects(reelhouse(['serve', '--workers', '2', '--no-workers']),
    (err: { code?: number; stderr?: string }) => err.code === 2 && /contradict/.test(err.stderr ?? ''));
});
