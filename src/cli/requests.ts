// `reelhouse requests list|show|cancel`: an operator's view of the queue in a data directory.
// It reads the store directly, so it works whether or not a server is running.
import { openEvents, openStore } from '../app.ts';
import type { Config } from '../config.ts';
import { cancelledOutcome } from '../requests/failures.ts';
import { REQUEST_STATES, falStatus, type RequestState } from '../requests/state.ts';
import { UsageError } from './usage.ts';

export interface RequestsArgs {
  action: string | undefined;
  id: string | undefined;
  user: string | undefined;
  state: string | undefined;
  limit: string | undefined;
}

const iso = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

export async function requests(config: Config, args: RequestsArgs, out: (line: string) => void): Promise<number> {
  const store = await openStore(config);
  try {
    switch (args.action) {
      case 'list': {
        if (args.state !== undefined && !REQUEST_STATES.includes(args.state as RequestState)) {
          throw new UsageError(`--state must be one of ${REQUEST_STATES.join(', ')}`);
        }
        const limit = args.limit === undefined ? 50 : Number(args.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
        const rows = await store.requests.list({ owner: args.user, state: args.state as RequestState | undefined, limit });
        out(['request_id', 'endpoint', 'state', 'status', 'attempts', 'user', 'created', 'finished'].join('\t'));
        for (const r of rows) {
          out([r.id, r.endpointId, r.state, falStatus(r.state), r.attempts, r.owner, iso(r.createdAt), iso(r.finishedAt)].join('\t'));
        }
        return 0;
      }
      case 'show': {
        if (!args.id) throw new UsageError('requests show needs the request id');
        const r = await store.requests.get(args.id);
        if (!r) {
          process.stderr.write(`no request ${args.id}\n`);
          return 1;
        }
        const [logs, webhookAttempts] = await Promise.all([store.logs.list(r.id), store.webhooks.listAttempts(r.id)]);
        out(JSON.stringify({ ...r, logs, webhookAttempts }, null, 2));
        return 0;
      }
      case 'cancel': {
        if (!args.id) throw new UsageError('requests cancel needs the request id');
        const outcome = await store.requests.cancel(args.id, Date.now(), cancelledOutcome());
        // On PostgreSQL the running worker and the status streams hear of it now (NOTIFY); on
        // SQLite nobody else shares this process's events, and they see it at their next re-read.
        const events = await openEvents(config);
        if (outcome === 'cancel_requested') events.cancelRequested(args.id);
        if (outcome === 'cancelled') events.changed(args.id);
        await events.close();
        const said: Record<typeof outcome, string> = {
          cancelled: 'cancelled (it had not started)',
          cancel_requested: config.databaseUrl === null
            ? 'cancellation requested: its worker stops it at its next heartbeat'
            : 'cancellation requested: its worker has been told to stop it',
          already_completed: 'already finished; nothing to cancel',
          not_found: 'no such request',
        };
        process.stderr.write(`${args.id}: ${said[outcome]}\n`);
        return outcome === 'not_found' ? 1 : 0;
      }
      default:
        throw new UsageError('requests needs an action: list, show or cancel');
    }
  } finally {
    await store.close();
  }
}
