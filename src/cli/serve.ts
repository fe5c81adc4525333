// `reelhouse serve`: the whole system in one process with the embedded defaults, or, with
// `--no-workers`, the HTTP edge of a deployment whose requests run in `reelhouse worker` processes.
import { startReelhouse } from '../app.ts';
import type { Config } from '../config.ts';

interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** On SIGINT or SIGTERM: `close`, then exit; a second signal exits at once. */
export function onShutdown(close: () => Promise<void>, log: ShutdownLogger): void {
  let signals = 0;
  const shutdown = (signal: string): void => {
    if (++signals > 1) process.exit(130); // a second Ctrl-C means now
    log.info({ signal }, 'shutting down: running requests go back to the queue');
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

export async function serve(config: Config): Promise<void> {
  const app = await startReelhouse(config);
  onShutdown(() => app.close(), app.server.log);
}
