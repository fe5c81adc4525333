// Beyond fal: the caller's own usage, in fal's billing units (src/endpoints/cost.ts). A key sees
// its user's usage: keys made with the same `--user` share it, as they share requests.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../endpoints/validate.ts';
import { ValidationError } from '../errors.ts';
import type { UsageRow } from '../store/records.ts';
import type { Store } from '../store/store.ts';

const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && Number.isFinite(Date.parse(v)), 'must be an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z')
  .transform((v) => Date.parse(v))
  .optional();

const UsageQuery = z.object({ since: instant, until: instant });

/** Query strings are fields of `query`, not `body`, in fal's error locations. */
function parseQuery(query: unknown): z.output<typeof UsageQuery> {
  try {
    return parseInput(UsageQuery, query ?? {});
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.map((e) => ({ ...e, loc: ['query', ...e.loc.slice(1)] })));
  }
}

export interface UsageSummary {
  user_id: string;
  since: string | null;
  until: string | null;
  requests: number;
  succeeded: number;
  units: number;
  endpoints: { endpoint_id: string; requests: number; succeeded: number; units: number }[];
}

/** Totals and per-endpoint lines of one user's usage rows. */
export function summarize(userId: string, rows: readonly UsageRow[], since?: number, until?: number): UsageSummary {
  const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());
  const sum = (f: (r: UsageRow) => number): number => rows.reduce((n, r) => n + f(r), 0);
  return {
    user_id: userId,
    since: iso(since),
    until: iso(until),
    requests: sum((r) => r.requests),
    succeeded: sum((r) => r.succeeded),
    units: sum((r) => r.units),
    endpoints: rows.map((r) => ({ endpoint_id: r.endpointId, requests: r.requests, succeeded: r.succeeded, units: r.units })),
  };
}

export function usageRoutes(app: FastifyInstance, store: Store): void {
  app.get('/usage', async (req) => {
    const { since, until } = parseQuery(req.query);
    const rows = await store.requests.usage({ owner: req.userId, since, until });
    return summarize(req.userId, rows, since, until);
  });
}
