// `reelhouse worker`: runs requests from the shared store (DATABASE_URL) with no HTTP edge, until
// SIGTERM or SIGINT: then it stops claiming, gives its running requests back to the queue (another
// worker takes them at once, without spending an attempt) and exits.
import type { Config } from '../config.ts';
import { startWorker } from '../worker-app.ts';
import { onShutdown } from './serve.ts';
import { UsageError } from './usage.ts';

export async function worker(config: Config): Promise<void> {
  if (config.databaseUrl === null) {
    throw new UsageError('reelhouse worker takes requests from a shared store: set DATABASE_URL to the PostgreSQL database the servers use');
  }
  const w = await startWorker(config);
  onShutdown(() => w.close(), w.logger);
}
