// Numbered, append-only migrations with a ledger table, as the SQLite store keeps them (a change is
// a new file with the next number; the numbers follow SQLite's, so a schema change lands as the
// same number in both). Several processes may start at once against one database: whoever holds
// the advisory lock migrates, the others wait for it and then find nothing left to do.
import path from 'node:path';
import type pg from 'pg';
import { pendingMigrations, readMigrations, type Migration } from '../sqlite/migrate.ts';
import { rows, type Query } from './db.ts';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/** The advisory lock key of migrating: any constant bigint no other part of reelhouse uses. */
export const MIGRATION_LOCK = 0x7265656c686f7573n; // "reelhous"

export function readPostgresMigrations(): Migration[] {
  return readMigrations(MIGRATIONS_DIR);
}

// ledger: created on first start, before any migration (the lock is already held).
const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`;

// applied versions: what the ledger says this database has.
const APPLIED: Query = { name: 'migrate_applied', text: 'SELECT version FROM schema_migrations' };

// record: one migration done, in the transaction that did it.
const RECORD: Query = { name: 'migrate_record', text: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)' };

/**
 * Applies every migration not yet in the ledger, each in its own transaction, holding a
 * session-level advisory lock on one connection for the whole run. PostgreSQL's DDL is
 * transactional, so a migration that fails leaves nothing half done.
 */
export async function migrate(pool: pg.Pool, now: number, migrations = readPostgresMigrations()): Promise<number[]> {
  const lock = await pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      await lock.query(CREATE_LEDGER);
      const applied = new Set((await rows<{ version: number }>(lock, APPLIED)).map((r) => r.version));
      const done: number[] = [];
      for (const m of pendingMigrations(applied, migrations)) {
        // On the lock's own connection, so a pool of one cannot wait on itself.
        await lock.query('BEGIN');
        try {
          await lock.query(m.sql); // several statements, no parameters: the simple query protocol
          await lock.query({ ...RECORD, values: [m.version, m.name, now] });
          await lock.query('COMMIT');
        } catch (err) {
          await lock.query('ROLLBACK');
          throw new Error(`migration ${m.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        done.push(m.version);
      }
      return done;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]);
    }
  } finally {
    lock.release();
  }
}
