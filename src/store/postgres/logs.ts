// A request's log lines, in the order they were written (bigserial ids).
import type pg from 'pg';
import type { LogEntry, LogLevel } from '../records.ts';
import type { LogStore } from '../store.ts';
import { changed, rows, type Query } from './db.ts';

// log_append: one line of a running request.
const APPEND: Query = {
  name: 'log_append',
  text: 'INSERT INTO request_logs (request_id, level, source, message, timestamp) VALUES ($1, $2, $3, $4, $5)',
};

// log_list: a request's lines in order (index request_logs_request).
const LIST: Query = {
  name: 'log_list',
  text: 'SELECT level, message, timestamp FROM request_logs WHERE request_id = $1 ORDER BY id',
};

export class PostgresLogs implements LogStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(requestId: string, e: LogEntry): Promise<void> {
    await changed(this.#pool, APPEND, [requestId, e.level, e.source, e.message, e.timestamp]);
  }

  async list(requestId: string): Promise<LogEntry[]> {
    return (await rows<{ level: LogLevel; message: string; timestamp: string }>(this.#pool, LIST, [requestId]))
      .map((r) => ({ message: r.message, level: r.level, source: 'USER', timestamp: r.timestamp }));
  }
}
