// Numbered, append-only migrations with a ledger table. A landed migration is never edited:
// a change is a new file with the next number.
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * The migrations the ledger does not list yet, in order; refuses a database that has a migration
 * this program does not know (it was made by a newer reelhouse).
 */
export function pendingMigrations(applied: ReadonlySet<number>, migrations: readonly Migration[]): Migration[] {
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) {
    throw new Error(`the database is at schema version ${newest}, newer than this reelhouse knows (${known}); upgrade reelhouse`);
  }
  return migrations.filter((m) => !applied.has(m.version));
}

/** Applies every migration not yet in the ledger, each in its own transaction. */
export function migrate(db: Database.Database, now: number, migrations = readMigrations()): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    db.prepare<[], { version: number }>('SELECT version FROM schema_migrations').all().map((r) => r.version),
  );
  const done: number[] = [];
  for (const m of pendingMigrations(applied, migrations)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
    })();
    done.push(m.version);
  }
  return done;
}
