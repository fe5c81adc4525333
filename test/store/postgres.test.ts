// The store contract against a real PostgreSQL started for this file, one fresh database per test;
// then what only a shared database has: several processes (here: several pools, each a process's
// worth of connections) migrating, claiming and submitting at once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { migrate, readPostgresMigrations } from '../../src/store/postgres/migrate.ts';
import { readMigrations } from '../../src/store/sqlite/migrate.ts';
import type { NewRequest } from '../../src/store/records.ts';
import { startPostgres, type ThrowawayPostgres } from '../support/postgres.ts';
import { storeContract } from './contract.ts';

let server: ThrowawayPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

storeContract('postgres', async () => PostgresStore.open(await server.createDatabase()));

const T0 = 1_800_000_000_000;
const request = (patch: Partial<NewRequest> = {}): NewRequest => ({
  id: randomUUID(), endpointId: 'reelhouse/noop', app: 'reelhouse/noop', owner: 'u1', priority: 'normal', input: {},
  webhookUrl: null, maxAttempts: 3, createdAt: T0, deadlineAt: null, idempotencyKey: null, outputLifetimeMs: null, ...patch,
});

/** `n` stores on one database, opened at once, as `n` processes starting together would. */
async function processes(url: string, n: number): Promise<PostgresStore[]> {
  return Promise.all(Array.from({ length: n }, () => PostgresStore.open(url, { poolSize: 4 })));
}

test('postgres: migrations mirror SQLite\'s, run once when several processes start at once', async () => {
  assert.deepEqual(readPostgresMigrations().map((m) => m.name), readMigrations().map((m) => m.name));
  const url = await server.createDatabase();
  const stores = await processes(url, 5);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows, readPostgresMigrations().map((m) => ({ version: m.version, name: m.name })));
    const pool = new pg.Pool({ connectionString: url });
    assert.deepEqual(await migrate(pool, Date.now()), [], 'nothing left to apply');
    await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, $1, 0)', ['999_future']);
    await assert.rejects(migrate(pool, Date.now()), /newer than this reelhouse knows/);
    await pool.end();
  } finally {
    await db.end();
    for (const s of stores) await s.close();
  }
});

test('postgres: processes claiming at once never share a request', async () => {
  const [a, b, c] = await processes(await server.createDatabase(), 3);
  try {
    for (let i = 0; i < 30; i++) await a!.requests.insert(request());
    const claims = await Promise.all(
      [a!, b!, c!].flatMap((s, p) => Array.from({ length: 12 }, (_, i) => s.requests.claim(`p${p}w${i}`, 10_000, T0))),
    );
    const ids = claims.flatMap((x) => (x ? [x.request.id] : []));
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
  } finally {
    for (const s of [a, b, c]) await s?.close();
  }
});

test('postgres: concurrent submits with one idempotency key make one request; one signing key is made', async () => {
  const stores = await processes(await server.createDatabase(), 3);
  try {
    const results = await Promise.all(
      stores.flatMap((s) => [1, 2, 3].map(() => s.requests.insert(request({ idempotencyKey: 'same' }), T0 - 1000))),
    );
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.request.id)).size, 1);
    let made = 0;
    const make = () => ({ kid: `k${++made}`, privatePem: 'pem', publicJwk: { kty: 'OKP' }, createdAt: T0 });
    const keys = await Promise.all(stores.map((s) => s.signingKeys.current(make)));
    assert.equal(made, 1);
    assert.deepEqual(new Set(keys.map((k) => k.kid)).size, 1);
  } finally {
    for (const s of stores) await s.close();
  }
});

test('postgres: payloads come back as sent, \\u0000 and key order included; log batches keep order; usage sums units', async () => {
  const [s] = await processes(await server.createDatabase(), 1);
  try {
    const input = { z: 1, a: 'nul\u0000here', nested: { b: [1.5, null, true], a: 'é' } };
    const r = (await s!.requests.insert(request({ input, units: 2.5 }))).request;
    assert.equal(JSON.stringify((await s!.requests.get(r.id))?.input), JSON.stringify(input));
    const c = await s!.requests.claim('w', 10_000, T0);
    await s!.requests.finish(r.id, c!.leaseToken, { state: 'succeeded', result: { video: { url: 'u', content_type: 'video/mp4' } } }, T0 + 1);
    assert.equal(JSON.stringify((await s!.requests.get(r.id))?.result), '{"video":{"url":"u","content_type":"video/mp4"}}');
    await s!.requests.insert(request({ owner: 'u2', units: 4 }));
    assert.deepEqual(await s!.requests.usage({}), [
      { owner: 'u1', endpointId: 'reelhouse/noop', requests: 1, succeeded: 1, units: 2.5 },
      { owner: 'u2', endpointId: 'reelhouse/noop', requests: 1, succeeded: 0, units: 0 },
    ]);
    assert.deepEqual(await s!.requests.usage({ owner: 'u2', since: T0, until: T0 + 1 }), [
      { owner: 'u2', endpointId: 'reelhouse/noop', requests: 1, succeeded: 0, units: 0 },
    ]);
    const batch = Array.from({ length: 500 }, (_, i) => ({ message: `line ${i}`, level: 'INFO' as const, source: 'USER' as const, timestamp: 't' }));
    await s!.logs.append(r.id, batch);
    assert.deepEqual((await s!.logs.list(r.id)).map((l) => l.message), batch.map((l) => l.message), 'one statement keeps the order');
    assert.deepEqual(await s!.requests.activity(), { queued: [{ endpointId: 'reelhouse/noop', priority: 'normal', count: 1, oldestCreatedAt: T0 }], running: [] });
  } finally {
    await s?.close();
  }
});
