// Read-only summaries of the requests table: usage per user and endpoint (billing), and what is
// queued and running now (/metrics). Kept apart from the request lifecycle's writes.
import type Database from 'better-sqlite3';
import type { UsageRow } from '../records.ts';
import type { QueueActivity, UsageFilter } from '../store.ts';

/** Usage per owner and endpoint; reads requests_owner_created when an owner is given. */
export function usage(db: Database.Database, filter: UsageFilter): UsageRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.owner !== undefined) {
    where.push('owner = ?');
    params.push(filter.owner);
  }
  if (filter.since !== undefined) {
    where.push('created_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('created_at < ?');
    params.push(filter.until);
  }
  const sql = `SELECT owner, endpoint_id AS endpointId, COUNT(*) AS requests,
                      SUM(state = 'succeeded') AS succeeded,
                      COALESCE(SUM(CASE WHEN state = 'succeeded' THEN units ELSE 0 END), 0) AS units
                 FROM requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                GROUP BY owner, endpoint_id ORDER BY owner, endpoint_id`;
  return db.prepare<unknown[], UsageRow>(sql).all(...params);
}

/** Queued and running requests; both queries stay on the partial indexes of 001. */
export function activity(db: Database.Database): QueueActivity {
  const queued = db
    .prepare<[], { endpointId: string; priority: number; count: number; oldestCreatedAt: number }>(
      `SELECT endpoint_id AS endpointId, priority, COUNT(*) AS count, MIN(created_at) AS oldestCreatedAt
         FROM requests WHERE state = 'queued' GROUP BY endpoint_id, priority`,
    )
    .all()
    .map((r) => ({ ...r, priority: r.priority === 1 ? ('low' as const) : ('normal' as const) }));
  const running = db
    .prepare<[], { endpointId: string; leaseOwner: string | null; count: number }>(
      `SELECT endpoint_id AS endpointId, lease_owner AS leaseOwner, COUNT(*) AS count
         FROM requests WHERE state = 'running' GROUP BY endpoint_id, lease_owner`,
    )
    .all();
  return { queued, running };
}
