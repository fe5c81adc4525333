// A request's log lines, in the order they were written (bigserial ids).
import type pg from 'pg';
import type { LogEntry, LogLevel } from '../records.ts';
import type { LogStore } from '../store.ts';
import { changed, rows, type Db, type Query } from './db.ts';

// log_append: a batch of lines of a running request in one statement (one round trip, atomic),
// given as parallel arrays; ORDER BY keeps the batch's order in the bigserial ids.
const APPEND: Query = {
  name: 'log_append',
  text: `INSERT INTO request_logs (request_id, level, source, message, timestamp)
         SELECT $1, level, source, message, timestamp
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS l(level, source, message, timestamp, n)
          ORDER BY n`,
};

// log_list: a request's lines in order (index request_logs_request).
const LIST: Query = {
  name: 'log_list',
  text: 'SELECT level, message, timestamp FROM request_logs WHERE request_id = $1 ORDER BY id',
};

/** Inserts log lines; shared with the request store, which writes the last ones as it finishes. */
export async function insertLogs(db: Db, requestId: string, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await changed(db, APPEND, [
    requestId, entries.map((e) => e.level), entries.map((e) => e.source), entries.map((e) => e.message), entries.map((e) => e.timestamp),
  ]);
}

export class PostgresLogs implements LogStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(requestId: string, entries: readonly LogEntry[]): Promise<void> {
    await insertLogs(this.#pool, requestId, entries);
  }

  async list(requestId: string): Promise<LogEntry[]> {
    return (await rows<{ level: LogLevel; message: string; timestamp: string }>(this.#pool, LIST, [requestId]))
      .map((r) => ({ message: r.message, level: r.level, source: 'USER', timestamp: r.timestamp }));
  }
}
