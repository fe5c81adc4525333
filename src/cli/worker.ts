// `reelhouse worker`: runs requests from the shared store (DATABASE_URL) with no HTTP edge, until
// SIGTERM or SIGINT: then it stops claiming, gives its running requests back to the queue (another
// worker takes them at once, without spending an attempt) and exits.
import type { Config } from '../config.ts';
import { startWorker } from '../worker-app.ts';
import { onShutdown } from './serve.ts';

export async function worker(config: Config): Promise<void> {
  const w = await startWorker(config);
  onShutdown(() => w.close(), w.logger);
}
