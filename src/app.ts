// The composition root: builds every part from the config, wires them, starts and stops them.
// This is the one place that knows which implementation stands behind each interface.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { fileService, fileSweeper, inputPolicy, openBlobStore } from './blobs/setup.ts';
import type { FileSweeper } from './blobs/sweeper.ts';
import type { Config } from './config.ts';
import { checkFfmpeg } from './engine/ffmpeg.ts';
import { defaultEndpoints } from './endpoints/registry.ts';
import { buildServer } from './http/server.ts';
import { observeStore } from './metrics/observed-store.ts';
import { ReelhouseMetrics } from './metrics/reelhouse-metrics.ts';
import { LocalEvents, type RequestEvents } from './requests/events.ts';
import { Housekeeper } from './requests/housekeeper.ts';
import { RequestService } from './requests/service.ts';
import { ModifyRunner } from './runners/modify.ts';
import { MotionRunner } from './runners/motion.ts';
import { NoopRunner } from './runners/noop.ts';
import { ReframeRunner } from './runners/reframe.ts';
import { SceneRunner } from './runners/scene.ts';
import type { Runner } from './runners/runner.ts';
import { PostgresEvents } from './store/postgres/events.ts';
import { PostgresStore } from './store/postgres/postgres-store.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { Worker } from './worker/worker.ts';

export interface Reelhouse {
  config: Config;
  server: FastifyInstance;
  store: Store;
  /** The periodic chores, exposed so tests and tools can run one now. */
  housekeeper: Housekeeper;
  /** Deletes expired files and abandoned uploads; exposed so tests and tools can sweep now. */
  sweeper: FileSweeper;
  /** `http://host:port` the server listens on. */
  url: string;
  close(): Promise<void>;
}

/**
 * The store the config names: PostgreSQL at `DATABASE_URL` when set (shared by every process of a
 * deployment), otherwise SQLite in the data directory. Either is migrated before it is returned.
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'sqliteSynchronous' | 'databaseUrl'>): Promise<Store> {
  if (config.databaseUrl !== null) return PostgresStore.open(config.databaseUrl);
  fs.mkdirSync(config.dataDir, { recursive: true });
  return SqliteStore.open(path.join(config.dataDir, 'reelhouse.db'), { synchronous: config.sqliteSynchronous });
}

/**
 * Request events: in this process only with SQLite; between every process of the deployment
 * through LISTEN/NOTIFY with PostgreSQL, so a stream on one server follows a run on another host.
 */
export async function openEvents(config: Pick<Config, 'databaseUrl'>, logger?: { warn(obj: object, msg: string): void }): Promise<RequestEvents> {
  if (config.databaseUrl === null) return new LocalEvents();
  return PostgresEvents.open(config.databaseUrl, {
    onConnection: (state, err) => logger?.warn({ err }, state === 'lost'
      ? 'events: lost the LISTEN connection to PostgreSQL; re-reading on timers until it is back'
      : 'events: LISTEN connection to PostgreSQL restored'),
  });
}

/** The runners behind the endpoints, by name. */
export function defaultRunners(config: Pick<Config, 'ffmpegPath' | 'ffprobePath'>): Map<string, Runner> {
  return new Map<string, Runner>([
    ['motion', new MotionRunner({ ffmpegPath: config.ffmpegPath })],
    ['modify', new ModifyRunner({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath })],
    ['noop', new NoopRunner()],
    ['reframe', new ReframeRunner({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath })],
    ['scene', new SceneRunner({ ffmpegPath: config.ffmpegPath })],
  ]);
}

/** This process's name in lease rows and logs: host, pid and a few random bytes (pids get reused). */
export const newWorkerId = (): string => `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `reelhouse serve`: the HTTP edge and, unless `workers` is 0, in-process workers. */
export async function startReelhouse(input: Config, opts: { now?: () => number } = {}): Promise<Reelhouse> {
  const now = opts.now ?? Date.now;
  let config = input;
  if (config.port === 0) {
    // The public URL names the port, so pick it before anything builds URLs.
    const port = await freePort(config.host);
    const url = new URL(config.publicUrl);
    if (url.port === '0') url.port = String(port);
    config = { ...config, port, publicUrl: url.toString().replace(/\/+$/, '') };
  }
  if (config.workers > 0) await checkFfmpeg(config.ffmpegPath);

  const workerId = newWorkerId();
  const blobStore = await openBlobStore(config);
  const rawStore = await openStore(config).catch((err: unknown) => {
    blobStore.close();
    throw err;
  });
  const metrics = new ReelhouseMetrics({
    store: rawStore, worker: config.workers > 0 ? { id: workerId, slots: config.workers } : null, now,
  });
  const store = observeStore(rawStore, metrics, (err) => server.log.warn({ err }, 'metrics: could not read a finished request'));
  const { blobs } = blobStore;
  let events: RequestEvents;
  try {
    events = await openEvents(config, { warn: (obj, msg) => server.log.warn(obj, msg) });
  } catch (err) {
    await rawStore.close();
    blobStore.close();
    throw err;
  }
  const endpoints = defaultEndpoints();
  const files = fileService(config, store, blobs, now);
  const maxDataUriBytes = config.bodyLimitBytes;
  const inputs = inputPolicy(config);
  const requestDeps = {
    store, blobs, files, endpoints, events, publicUrl: config.publicUrl, maxAttempts: config.maxAttempts, maxDataUriBytes, now,
    idempotencyWindowMs: config.idempotencyWindowMs, retentionMs: config.retentionMs, inputs,
  };
  const requests = new RequestService(requestDeps);
  let ready = false;
  const server = buildServer({
    store, blobs, files, requests, publicUrl: config.publicUrl, bodyLimitBytes: config.bodyLimitBytes,
    sseKeepAliveMs: config.sseKeepAliveMs, logLevel: config.logLevel, ready: () => ready,
    metrics: () => metrics.render(), metricsToken: config.metricsToken, endpoints, corsOrigins: config.corsOrigins,
  });

  const housekeeper = new Housekeeper({
    store, events, logger: server.log.child({ component: 'housekeeper' }), now, leaseMs: config.leaseMs, retentionMs: config.retentionMs,
  });
  const webhooks = new WebhookDispatcher({
    store, logger: server.log.child({ component: 'webhooks' }), now, retries: config.webhookRetries,
    baseDelayMs: config.webhookBaseDelayMs, timeoutMs: config.webhookTimeoutMs,
  });
  const runners = defaultRunners(config);
  const workerDeps = {
    workerId,
    store, blobs, files, endpoints, runners, events, logger: server.log.child({ component: 'worker' }),
    tmpRoot: path.join(config.dataDir, 'tmp'), publicUrl: config.publicUrl, maxDataUriBytes,
    leaseMs: config.leaseMs, heartbeatMs: config.heartbeatMs, now, inputs,
  };
  const worker = config.workers > 0 ? new Worker(workerDeps) : null;
  const sweeper = fileSweeper(config, store, blobs, now, server.log.child({ component: 'files' }));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      ready = false;
      await worker?.stop();
      housekeeper.stop();
      await sweeper.stop();
      await webhooks.stop();
      await server.close();
      await events.close();
      await store.close();
      blobStore.close();
    })());

  try {
    await server.listen({ host: config.host, port: config.port });
    await webhooks.start();
    housekeeper.start();
    sweeper.start();
    await worker?.start(config.workers);
  } catch (err) {
    // A port in use, say: stop what did start, so no store connection or timer outlives the failure.
    await close().catch(() => undefined);
    throw err;
  }
  ready = true;
  server.log.info(
    { publicUrl: config.publicUrl, workers: config.workers, dataDir: config.dataDir, store: config.databaseUrl ? 'postgres' : 'sqlite', blobs: config.s3 ? `s3://${config.s3.bucket}/${config.s3.prefix}` : 'fs' },
    'reelhouse is ready',
  );

  return {
    config, server, store, housekeeper, sweeper,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`,
    close,
  };
}
