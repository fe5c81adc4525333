// `reelhouse serve`: the whole system in one process with the embedded defaults.
import { startReelhouse } from '../app.ts';
import type { Config } from '../config.ts';

export async function serve(config: Config): Promise<void> {
  const app = await startReelhouse(config);
  let signals = 0;
  const shutdown = (signal: string): void => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C means now
    app.server.log.info({ signal }, 'shutting down: running requests go back to the queue');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.server.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
