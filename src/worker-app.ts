// `reelhouse worker`: a process that runs requests from the shared store, with no HTTP edge. It is
// built from the same parts as `serve` (app.ts) minus the server.
//
// Which chores run where: every process, edge or worker, runs the housekeeper (deadlines, lost
// leases, retention), the webhook dispatcher and the file sweeper. Each is safe with any number
// of copies (claims and batches lock rows with SKIP LOCKED and every write re-checks its
// condition; deleting a file twice is a no-op), so no process is special: any subset of hosts
// may be down and the rest still finish the chores.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fileService, fileSweeper, inputPolicy, openBlobStore } from './blobs/setup.ts';
import type { Config } from './config.ts';
import { checkFfmpeg } from './engine/ffmpeg.ts';
import { defaultEndpoints } from './endpoints/registry.ts';
import { defaultRunners, newWorkerId, openEvents, openStore } from './app.ts';
import { startOpsServer } from './http/ops-server.ts';
import { observeStore } from './metrics/observed-store.ts';
import { ReelhouseMetrics } from './metrics/reelhouse-metrics.ts';
import { Housekeeper } from './requests/housekeeper.ts';
import type { Store } from './store/store.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { Worker, type WorkerLogger } from './worker/worker.ts';

export interface Logger extends WorkerLogger {
  child(bindings: object): Logger;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** JSON lines on stdout in pino's shape (what `serve` logs through fastify), so one log pipeline reads both. */
export function jsonLogger(level: string, bindings: object = {}, write = (line: string) => process.stdout.write(line)): Logger {
  const min = LEVELS[level] ?? 30;
  const at = (n: number) => (obj: object, msg: string): void => {
    if (n < min) return;
    const fields = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v instanceof Error ? { type: v.name, message: v.message, stack: v.stack } : v]));
    write(`${JSON.stringify({ level: n, time: Date.now(), pid: process.pid, ...bindings, ...fields, msg })}\n`);
  };
  return { info: at(30), warn: at(40), error: at(50), child: (more) => jsonLogger(level, { ...bindings, ...more }, write) };
}

const hostPort = (app: FastifyInstance): string => {
  const a = app.server.address() as AddressInfo;
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
};

export interface WorkerProcess {
  workerId: string;
  store: Store;
  logger: Logger;
  /** Where this worker's /metrics answers (REELHOUSE_METRICS_PORT), or null. */
  metricsUrl: string | null;
  /** Stops claiming, gives running requests back to the queue, stops the chores, disconnects. */
  close(): Promise<void>;
}

/**
 * Starts a worker process: `config.workers` slots taking requests from the PostgreSQL store at
 * `config.databaseUrl`, woken by NOTIFY when work is submitted anywhere in the deployment.
 *
 * @example
 *   const worker = await startWorker(loadConfig(process.env));
 *   process.on('SIGTERM', () => void worker.close());
 */
export async function startWorker(config: Config, opts: { now?: () => number; logger?: Logger } = {}): Promise<WorkerProcess> {
  if (config.databaseUrl === null) {
    throw new Error('reelhouse worker takes requests from a shared store: set DATABASE_URL to the PostgreSQL database the servers use');
  }
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? jsonLogger(config.logLevel);
  const slots = Math.max(1, config.workers);
  await checkFfmpeg(config.ffmpegPath);
  const workerId = newWorkerId();
  const blobStore = await openBlobStore(config);
  const { blobs } = blobStore;
  const rawStore = await openStore(config).catch((err: unknown) => {
    blobStore.close();
    throw err;
  });
  // The same counters as `serve` (runs, webhooks, uploads, this worker's busy slots), moved by the
  // same store seam; exposed on the operations port when one is set.
  const metrics = new ReelhouseMetrics({ store: rawStore, worker: { id: workerId, slots }, now });
  const store = observeStore(rawStore, metrics, (err) => logger.warn({ err }, 'metrics: could not read a finished request'));
  const events = await openEvents(config, logger.child({ component: 'events' })).catch(async (err: unknown) => {
    await store.close();
    blobStore.close();
    throw err;
  });
  const files = fileService(config, store, blobs, now);
  const housekeeper = new Housekeeper({
    store, events, logger: logger.child({ component: 'housekeeper' }), now, leaseMs: config.leaseMs, retentionMs: config.retentionMs,
  });
  const webhooks = new WebhookDispatcher({
    store, logger: logger.child({ component: 'webhooks' }), now, retries: config.webhookRetries,
    baseDelayMs: config.webhookBaseDelayMs, timeoutMs: config.webhookTimeoutMs,
  });
  const sweeper = fileSweeper(config, store, blobs, now, logger.child({ component: 'files' }));
  const worker = new Worker({
    workerId, store, blobs, files, endpoints: defaultEndpoints(), runners: defaultRunners(config), events,
    logger: logger.child({ component: 'worker' }), tmpRoot: path.join(config.dataDir, 'tmp'), publicUrl: config.publicUrl,
    maxDataUriBytes: config.bodyLimitBytes, leaseMs: config.leaseMs, heartbeatMs: config.heartbeatMs, now, inputs: inputPolicy(config),
  });

  let ready = false;
  let ops: FastifyInstance | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      ready = false;
      await ops?.close();
      await worker.stop();
      housekeeper.stop();
      await sweeper.stop();
      await webhooks.stop();
      await events.close();
      await store.close();
      blobStore.close();
    })());
  try {
    await webhooks.start();
    housekeeper.start();
    sweeper.start();
    await worker.start(slots);
    if (config.metricsPort !== null) {
      ops = await startOpsServer({
        host: config.host, port: config.metricsPort, store, metrics: () => metrics.render(), metricsToken: config.metricsToken, ready: () => ready,
      });
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  ready = true;
  const metricsUrl = ops ? `http://${hostPort(ops)}/metrics` : null;
  logger.info({ workerId, slots, publicUrl: config.publicUrl, metrics: metricsUrl }, 'reelhouse worker is ready');
  return { workerId, store, logger, metricsUrl, close };
}
