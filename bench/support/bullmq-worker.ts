// The BullMQ side of bench/queue.ts: a worker process doing the same no-op jobs.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [port, concurrency] = process.argv.slice(2).map(Number);
const worker = new Worker('noop', async () => ({ ok: true }), {
  connection: new Redis({ host: '127.0.0.1', port: port ?? 6379, maxRetriesPerRequest: null }),
  concurrency: concurrency ?? 8,
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
