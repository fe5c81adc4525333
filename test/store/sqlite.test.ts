import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { migrate, readMigrations } from '../../src/store/sqlite/migrate.ts';
import { tempDir } from '../support/server.ts';
import { storeContract } from './contract.ts';

storeContract('sqlite', async () => SqliteStore.open(path.join(tempDir(), 'test.db')));

test('sqlite: WAL mode, migrations applied once and recorded', () => {
  const file = path.join(tempDir(), 'm.db');
  SqliteStore.open(file);
  SqliteStore.open(file); // reopening applies nothing twice
  const db = new Database(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const rows = db.prepare('SELECT version, name FROM schema_migrations').all();
  assert.deepEqual(rows, readMigrations().map((m) => ({ version: m.version, name: m.name })));
  assert.deepEqual(migrate(db, Date.now()), []);
  db.close();
});

test('sqlite: a database newer than this program is refused', () => {
  const file = path.join(tempDir(), 'n.db');
  SqliteStore.open(file);
  const db = new Database(file);
  db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('999_future');
  assert.throws(() => migrate(db, Date.now()), /newer than this reelhouse knows/);
  db.close();
});
