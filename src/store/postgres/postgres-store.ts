// The scale-out store: PostgreSQL, shared by every reelhouse process of a deployment. Each method
// is one statement or one short transaction on a pooled connection; claims and chores lock rows
// with SKIP LOCKED so any number of processes can work the same tables.
import type pg from 'pg';
import type { Store } from '../store.ts';
import { createPool } from './db.ts';
import { PostgresFiles } from './files.ts';
import { PostgresKeys } from './keys.ts';
import { PostgresLogs } from './logs.ts';
import { migrate } from './migrate.ts';
import { PostgresRequests } from './requests.ts';
import { PostgresSigningKeys, PostgresWebhooks } from './webhooks.ts';

export class PostgresStore implements Store {
  readonly keys: PostgresKeys;
  readonly requests: PostgresRequests;
  readonly logs: PostgresLogs;
  readonly files: PostgresFiles;
  readonly webhooks: PostgresWebhooks;
  readonly signingKeys: PostgresSigningKeys;
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.keys = new PostgresKeys(pool);
    this.requests = new PostgresRequests(pool);
    this.logs = new PostgresLogs(pool);
    this.files = new PostgresFiles(pool);
    this.webhooks = new PostgresWebhooks(pool);
    this.signingKeys = new PostgresSigningKeys(pool);
  }

  /**
   * Connects to `url` (`postgres://user:password@host:port/database`) and brings the schema up to
   * date; several processes may do this at once.
   *
   * @example
   *   const store = await PostgresStore.open('postgres://reelhouse@db.internal/reelhouse');
   */
  static async open(url: string, opts: { poolSize?: number; now?: number } = {}): Promise<PostgresStore> {
    const pool = createPool(url, opts.poolSize);
    try {
      await migrate(pool, opts.now ?? Date.now());
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
