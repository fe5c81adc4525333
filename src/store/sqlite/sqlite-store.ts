// The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous, which makes
// each method one short transaction; the async interface is what the PostgreSQL store needs.
import Database from 'better-sqlite3';
import type { Store } from '../store.ts';
import { SqliteFiles } from './files.ts';
import { SqliteKeys } from './keys.ts';
import { SqliteLogs } from './logs.ts';
import { migrate } from './migrate.ts';
import { SqliteRequests } from './requests.ts';
import { SqliteSigningKeys, SqliteWebhooks } from './webhooks.ts';

/**
 * Makes `db.prepare` return one compiled statement per SQL text. Every query here is a constant
 * string, so the cache is bounded; preparing on each call was 13% of the server's CPU under load
 * (bench/queue.ts profile).
 */
function cachingStatements(db: Database.Database): Database.Database {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as typeof db.prepare;
  return db;
}

export class SqliteStore implements Store {
  readonly keys: SqliteKeys;
  readonly requests: SqliteRequests;
  readonly logs: SqliteLogs;
  readonly files: SqliteFiles;
  readonly webhooks: SqliteWebhooks;
  readonly signingKeys: SqliteSigningKeys;
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.keys = new SqliteKeys(db);
    this.requests = new SqliteRequests(db);
    this.logs = new SqliteLogs(db);
    this.files = new SqliteFiles(db);
    this.webhooks = new SqliteWebhooks(db);
    this.signingKeys = new SqliteSigningKeys(db);
  }

  /**
   * Opens (creating if needed) the database file and brings its schema up to date.
   *
   * `synchronous`: with WAL, NORMAL (the default) makes every commit survive a crash of the
   * process, and an OS crash or power cut can lose the last commits but never corrupts the file;
   * FULL also survives those, at an fsync per commit (measured: 1,050 against 1,870 no-op jobs/s,
   * bench/README.md).
   */
  static open(file: string, opts: { synchronous?: 'normal' | 'full'; now?: number } = {}): SqliteStore {
    const db = cachingStatements(new Database(file));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, opts.now ?? Date.now());
    return new SqliteStore(db);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
