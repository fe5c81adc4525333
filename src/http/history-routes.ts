// Beyond fal: a key's own requests, newest first, for the playground's history and for any client
// that lost its request ids. A key sees its user's requests, as it does everywhere else.
//
//   GET /api/requests?limit=20&state=running
//   → { "requests": [{ "request_id": "…", "endpoint_id": "…", "status": "IN_PROGRESS", … }] }
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../endpoints/validate.ts';
import { ValidationError } from '../errors.ts';
import { failureSummary } from '../requests/failures.ts';
import { REQUEST_STATES, falStatus } from '../requests/state.ts';
import { requestUrls, type RequestUrls } from '../requests/status.ts';
import type { RequestRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';

const HistoryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  state: z.enum(REQUEST_STATES).optional(),
});

/**
 * Input strings longer than this (data URIs, mostly) are left out of the listing: a page of
 * history stays small, and the fields named in `elided` say what is missing.
 */
const MAX_INPUT_STRING = 4096;

export interface HistoryEntry extends RequestUrls {
  request_id: string;
  endpoint_id: string;
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
  state: RequestRecord['state'];
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The validated input (with defaults); null once purged after the retention period. */
  input: Record<string, unknown> | null;
  /** Top-level input fields left out for their size. */
  elided: string[];
  /** The output of a request that succeeded. */
  result: unknown;
  error: string | null;
  progress: { fraction: number; stage: string } | null;
}

function parseQuery(query: unknown): z.output<typeof HistoryQuery> {
  try {
    return parseInput(HistoryQuery, query ?? {});
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.map((e) => ({ ...e, loc: ['query', ...e.loc.slice(1)] })));
  }
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function slimInput(input: unknown): { input: Record<string, unknown> | null; elided: string[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { input: null, elided: [] };
  const kept: Record<string, unknown> = {};
  const elided: string[] = [];
  for (const [k, v] of Object.entries(input)) {
    if (typeof v === 'string' && v.length > MAX_INPUT_STRING) elided.push(k);
    else kept[k] = v;
  }
  return { input: kept, elided };
}

/** One request as the history lists it. */
export function historyEntry(publicUrl: string, r: RequestRecord): HistoryEntry {
  return {
    request_id: r.id,
    endpoint_id: r.endpointId,
    status: falStatus(r.state),
    state: r.state,
    created_at: new Date(r.createdAt).toISOString(),
    started_at: iso(r.startedAt),
    finished_at: iso(r.finishedAt),
    ...slimInput(r.purgedAt === null ? r.input : null),
    result: r.state === 'succeeded' && r.purgedAt === null ? r.result : null,
    error: r.failure ? failureSummary(r.failure) : null,
    progress: r.state === 'running' && r.progress ? { fraction: r.progress.fraction, stage: r.progress.stage } : null,
    ...requestUrls(publicUrl, r),
  };
}

export function historyRoutes(app: FastifyInstance, store: Store, publicUrl: string): void {
  app.get('/api/requests', async (req) => {
    const { limit, state } = parseQuery(req.query);
    const rows = await store.requests.list({ owner: req.userId, state, limit });
    return { requests: rows.map((r) => historyEntry(publicUrl, r)) };
  });
}
