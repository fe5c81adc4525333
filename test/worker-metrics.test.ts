// A `reelhouse worker` process has no API, but it is scraped like a server: /healthz, /readyz and
// /metrics on its operations port (REELHOUSE_METRICS_PORT), counting the requests it ran.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { jsonLogger, startWorker } from '../src/worker-app.ts';
import { parsePrometheus, valueOf } from './support/prometheus.ts';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.ts';
import { api, startTestServer, tempDir } from './support/server.ts';

let pg: ThrowawayPostgres;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

test('a worker process answers /healthz, /readyz and /metrics, and its counters move as it runs requests', async () => {
  const databaseUrl = await pg.createDatabase();
  const edge = await startTestServer({ workers: 0, databaseUrl });
  const env = { REELHOUSE_METRICS_PORT: '0', REELHOUSE_METRICS_TOKEN: 'scrape-me' };
  const worker = await startWorker({ ...loadConfig(env, { dataDir: tempDir() }), databaseUrl }, { logger: jsonLogger('silent') });
  try {
    assert.ok(worker.metricsUrl);
    const base = worker.metricsUrl.replace(/\/metrics$/, '');
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(worker.metricsUrl)).status, 401, 'the token is asked for');
    assert.equal((await fetch(`${base}/queue/reelhouse/noop`, { method: 'POST' })).status, 404, 'no API on this port');

    const scrape = async () =>
      parsePrometheus(await (await fetch(worker.metricsUrl!, { headers: { authorization: 'Bearer scrape-me' } })).text());
    const succeeded = { endpoint: 'reelhouse/noop', state: 'succeeded' };
    const before = valueOf(await scrape(), 'reelhouse_requests_finished_total', succeeded);
    assert.equal(valueOf(await scrape(), 'reelhouse_worker_slots'), 1);

    const call = api(edge);
    const ids = await Promise.all([1, 2, 3].map(async () =>
      ((await (await call('/queue/reelhouse/noop', { method: 'POST', json: { sleep_ms: 10 } })).json()) as { request_id: string }).request_id));
    for (const id of ids) {
      while ((await edge.app.store.requests.get(id))?.state !== 'succeeded') await new Promise((r) => setTimeout(r, 50));
    }
    // The run was counted by the process that ran it, not by the edge.
    assert.equal(valueOf(await scrape(), 'reelhouse_requests_finished_total', succeeded), before + 3);
  } finally {
    await worker.close();
    await edge.close();
  }
});
