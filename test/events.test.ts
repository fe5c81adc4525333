// Request events between processes (LISTEN/NOTIFY on a real PostgreSQL): two event hubs as two
// processes would hold them, a lost listening connection, and the whole path: a status stream on
// an edge-only server following a request run by a worker process, and a cancel asked on the edge
// stopping that run long before the worker's next heartbeat would have noticed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { LocalEvents } from '../src/requests/events.ts';
import { LISTENER_NAME, PostgresEvents } from '../src/store/postgres/events.ts';
import { jsonLogger, startWorker } from '../src/worker-app.ts';
import { requests } from '../src/cli/requests.ts';
import { loadConfig } from '../src/config.ts';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.ts';
import { api, startTestServer, tempDir } from './support/server.ts';

let server: ThrowawayPostgres;
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

/** Resolves with the number of calls once `fn` has been called `n` times. */
function counter(): { fn: () => void; seen: (n: number) => Promise<void>; count: () => number } {
  let count = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  return {
    fn: () => {
      count++;
      waiters = waiters.filter((w) => (w.n <= count ? (w.resolve(), false) : true));
    },
    seen: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    count: () => count,
  };
}

test('local events: a listener hears its request only; wakeAll wakes everyone once', () => {
  const events = new LocalEvents();
  let a = 0;
  let b = 0;
  let s = 0;
  events.onChanged('a', () => a++);
  const offB = events.onChanged('b', () => b++);
  events.onSubmitted(() => s++);
  events.changed('a');
  offB();
  events.changed('b');
  events.wakeAll();
  assert.deepEqual([a, b, s], [2, 0, 1]);
});

test('postgres events: each kind reaches the other process once, and the raising process once', async () => {
  const url = await server.createDatabase();
  const [one, two] = await Promise.all([PostgresEvents.open(url), PostgresEvents.open(url)]);
  try {
    const changedThere = counter();
    const changedHere = counter();
    const submittedThere = counter();
    const cancelThere = counter();
    two.onChanged('r1', changedThere.fn);
    one.onChanged('r1', changedHere.fn);
    two.onSubmitted(submittedThere.fn);
    two.onCancelRequested('r1', cancelThere.fn);
    two.onChanged('r2', () => assert.fail('r2 never changed'));
    one.changed('r1');
    one.submitted();
    one.cancelRequested('r1');
    await Promise.all([changedThere.seen(1), submittedThere.seen(1), cancelThere.seen(1)]);
    // A round trip later, nothing more arrived: no echo of one's own events, no duplicates.
    one.changed('r3');
    const r3 = counter();
    two.onChanged('r3', r3.fn);
    one.changed('r3');
    await r3.seen(1);
    assert.deepEqual([changedThere.count(), changedHere.count(), submittedThere.count(), cancelThere.count()], [1, 1, 1, 1]);
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

test('postgres events: a lost listening connection is re-made, everyone is woken, events flow again', async () => {
  const url = await server.createDatabase();
  const states: string[] = [];
  const two = await PostgresEvents.open(url, { onConnection: (s) => states.push(s), pingMs: 100 });
  const one = await PostgresEvents.open(url);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const changed = counter();
    two.onChanged('r1', changed.fn);
    // The database drops every listening connection (two's and one's).
    const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [LISTENER_NAME]);
    assert.equal(rowCount, 2);
    await changed.seen(1); // the wake-up after the reconnect, not an event
    assert.deepEqual(states, ['lost', 'restored']);
    one.changed('r1');
    await changed.seen(2);
  } finally {
    await admin.end();
    await Promise.all([one.close(), two.close()]);
  }
});

interface SseEvent { status: string; progress?: { fraction: number } | null; logs?: { message: string }[] | null }

async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as SseEvent);
}

test('an edge-only server streams the progress and logs of a request a worker process runs; its cancel stops the run at once', async () => {
  const databaseUrl = await server.createDatabase();
  const edge = await startTestServer({ workers: 0, databaseUrl });
  // A heartbeat every ten minutes: only the NOTIFY of the cancel can stop the run within the test.
  const config = { ...loadConfig({}, { dataDir: tempDir() }), databaseUrl, leaseMs: 1_800_000, heartbeatMs: 600_000 };
  const worker = await startWorker(config, { logger: jsonLogger('silent') });
  try {
    const call = api(edge);
    const submit = async (input: object): Promise<string> =>
      ((await (await call('/queue/reelhouse/noop', { method: 'POST', json: input })).json()) as { request_id: string }).request_id;

    const id = await submit({ sleep_ms: 2000, steps: 8 });
    const events = await readSse(await call(`/queue/reelhouse/noop/requests/${id}/status/stream?logs=1`));
    assert.equal(events.at(-1)?.status, 'COMPLETED');
    // The edge re-reads on its own only every few seconds: distinct progress values within two
    // seconds came by NOTIFY from the worker process.
    const fractions = new Set(events.flatMap((e) => (e.status === 'IN_PROGRESS' && e.progress ? [e.progress.fraction] : [])));
    assert.ok(fractions.size >= 3, JSON.stringify(events));
    const lines = events.flatMap((e) => (e.logs ?? []).map((l) => l.message));
    assert.ok(lines.includes('step 8 of 8') && lines.includes('Completed'), JSON.stringify(lines));

    const running = async (): Promise<string> => {
      const id = await submit({ sleep_ms: 600_000, steps: 600 });
      for (;;) {
        const s = (await (await call(`/queue/reelhouse/noop/requests/${id}/status`)).json()) as { status: string };
        if (s.status === 'IN_PROGRESS') return id;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const stoppedBy = async (id: string, cancel: () => Promise<void>): Promise<void> => {
      await cancel();
      const end = await readSse(await call(`/queue/reelhouse/noop/requests/${id}/status/stream`));
      assert.equal(end.at(-1)?.status, 'COMPLETED');
      assert.equal((await edge.app.store.requests.get(id))?.state, 'cancelled');
    };
    const long = await running();
    await stoppedBy(long, async () => {
      assert.equal((await call(`/queue/reelhouse/noop/requests/${long}/cancel`, { method: 'PUT' })).status, 202);
    });
    // The operator's `reelhouse requests cancel` reaches the worker the same way.
    const other = await running();
    await stoppedBy(other, async () => {
      const args = { action: 'cancel', id: other, user: undefined, state: undefined, limit: undefined };
      assert.equal(await requests({ ...config, dataDir: tempDir() }, args, () => undefined), 0);
    });
  } finally {
    await worker.close();
    await edge.close();
  }
});
