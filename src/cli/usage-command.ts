// `reelhouse usage`: requests and billing units per user and endpoint, read from the store in a
// data directory (as `requests` does), so it works whether or not a server is running.
import { openStore } from '../app.ts';
import type { Config } from '../config.ts';
import { UsageError } from './usage.ts';

export interface UsageArgs {
  user: string | undefined;
  since: string | undefined;
  until: string | undefined;
}

function instant(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || !Number.isFinite(t)) throw new UsageError(`--${flag} must be an ISO 8601 date or time, e.g. 2025-01-31`);
  return t;
}

export async function usage(config: Config, args: UsageArgs, out: (line: string) => void): Promise<number> {
  const since = instant('since', args.since);
  const until = instant('until', args.until);
  const store = await openStore(config);
  try {
    const rows = await store.requests.usage({ owner: args.user, since, until });
    out(['user', 'endpoint', 'requests', 'succeeded', 'units'].join('\t'));
    for (const r of rows) out([r.owner, r.endpointId, r.requests, r.succeeded, r.units].join('\t'));
    const total = rows.reduce((n, r) => n + r.units, 0);
    out(['total', '', rows.reduce((n, r) => n + r.requests, 0), rows.reduce((n, r) => n + r.succeeded, 0), total].join('\t'));
    return 0;
  } finally {
    await store.close();
  }
}
