import type Database from 'better-sqlite3';
import type { LogEntry, LogLevel } from '../records.ts';
import type { LogStore } from '../store.ts';

/** Inserts log lines; shared with the request store, which writes the last ones as it finishes. */
export function insertLogs(db: Database.Database, requestId: string, entries: readonly LogEntry[]): void {
  const insert = db.prepare('INSERT INTO request_logs (request_id, level, source, message, timestamp) VALUES (?, ?, ?, ?, ?)');
  for (const e of entries) insert.run(requestId, e.level, e.source, e.message, e.timestamp);
}

export class SqliteLogs implements LogStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async append(requestId: string, entries: readonly LogEntry[]): Promise<void> {
    this.#db.transaction(() => insertLogs(this.#db, requestId, entries))();
  }

  async list(requestId: string): Promise<LogEntry[]> {
    return this.#db
      .prepare<[string], { level: LogLevel; message: string; timestamp: string }>(
        'SELECT level, message, timestamp FROM request_logs WHERE request_id = ? ORDER BY id',
      )
      .all(requestId)
      .map((r) => ({ message: r.message, level: r.level, source: 'USER', timestamp: r.timestamp }));
  }
}
