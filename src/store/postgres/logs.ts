// A request's log lines, in the order they were written (bigserial ids).
import type pg from 'pg';
import type { LogEntry, LogLevel } from '../records.ts';
import type { LogStore } from '../store.ts';
import { changed, rows, transaction, type Db, type Query } from './db.ts';

// log_append: one line of a running request (a batch is several, in one transaction).
const APPEND: Query = {
  name: 'log_append',
  text: 'INSERT INTO request_logs (request_id, level, source, message, timestamp) VALUES ($1, $2, $3, $4, $5)',
};

// log_list: a request's lines in order (index request_logs_request).
const LIST: Query = {
  name: 'log_list',
  text: 'SELECT level, message, timestamp FROM request_logs WHERE request_id = $1 ORDER BY id',
};

/** Inserts log lines; shared with the request store, which writes the last ones as it finishes. */
export async function insertLogs(db: Db, requestId: string, entries: readonly LogEntry[]): Promise<void> {
  for (const e of entries) await changed(db, APPEND, [requestId, e.level, e.source, e.message, e.timestamp]);
}

export class PostgresLogs implements LogStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(requestId: string, entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 1) await insertLogs(this.#pool, requestId, entries);
    else if (entries.length > 1) await transaction(this.#pool, (tx) => insertLogs(tx, requestId, entries));
  }

  async list(requestId: string): Promise<LogEntry[]> {
    return (await rows<{ level: LogLevel; message: string; timestamp: string }>(this.#pool, LIST, [requestId]))
      .map((r) => ({ message: r.message, level: r.level, source: 'USER', timestamp: r.timestamp }));
  }
}
