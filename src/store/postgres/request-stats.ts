// Read-only summaries of the requests table: usage per user and endpoint (billing), and what is
// queued and running now (/metrics). Kept apart from the request lifecycle's writes.
import type { UsageRow } from '../records.ts';
import type { QueueActivity, UsageFilter } from '../store.ts';
import { rows, type Db, type Query } from './db.ts';

// request_usage: requests and billed units per owner and endpoint, of requests created in
// [since, until); an absent filter is NULL. Sorted in byte order, as SQLite sorts text.
const USAGE: Query = {
  name: 'request_usage',
  text: `SELECT owner, endpoint_id AS "endpointId", COUNT(*)::integer AS requests,
                COUNT(*) FILTER (WHERE state = 'succeeded')::integer AS succeeded,
                COALESCE(SUM(units) FILTER (WHERE state = 'succeeded'), 0)::double precision AS units
           FROM requests
          WHERE ($1::text IS NULL OR owner = $1) AND ($2::bigint IS NULL OR created_at >= $2)
            AND ($3::bigint IS NULL OR created_at < $3)
          GROUP BY owner, endpoint_id
          ORDER BY owner COLLATE "C", endpoint_id COLLATE "C"`,
};

// request_activity_queued: what waits, per endpoint and priority (partial index requests_queue).
const QUEUED: Query = {
  name: 'request_activity_queued',
  text: `SELECT endpoint_id AS "endpointId", priority, COUNT(*)::integer AS count, MIN(created_at) AS "oldestCreatedAt"
           FROM requests WHERE state = 'queued' GROUP BY endpoint_id, priority`,
};

// request_activity_running: what runs, per endpoint and worker (partial index requests_leases).
const RUNNING: Query = {
  name: 'request_activity_running',
  text: `SELECT endpoint_id AS "endpointId", lease_owner AS "leaseOwner", COUNT(*)::integer AS count
           FROM requests WHERE state = 'running' GROUP BY endpoint_id, lease_owner`,
};

export async function usage(db: Db, filter: UsageFilter): Promise<UsageRow[]> {
  return rows<UsageRow>(db, USAGE, [filter.owner ?? null, filter.since ?? null, filter.until ?? null]);
}

export async function activity(db: Db): Promise<QueueActivity> {
  const [queued, running] = await Promise.all([
    rows<{ endpointId: string; priority: number; count: number; oldestCreatedAt: number }>(db, QUEUED),
    rows<{ endpointId: string; leaseOwner: string | null; count: number }>(db, RUNNING),
  ]);
  return {
    queued: queued.map((r) => ({ ...r, priority: r.priority === 1 ? ('low' as const) : ('normal' as const) })),
    running,
  };
}
