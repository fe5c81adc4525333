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

  /** Opens (creating if needed) the database file and brings its schema up to date. */
  static open(file: string, now = Date.now()): SqliteStore {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // FULL: a committed transition survives a power cut, not only a crash of the process.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, now);
    return new SqliteStore(db);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
