// /metrics parses as Prometheus text and its counters move as requests run (cheaply, through
// reelhouse/noop); /readyz; and the optional bearer token of /metrics.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { freePort } from './support/process.ts';
import { parsePrometheus, valueOf, type Family } from './support/prometheus.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const NOOP = { endpoint: 'reelhouse/noop' };

let server: TestServer;
let call: ReturnType<typeof api>;
let hook: { url: string; close(): Promise<void> };

before(async () => {
  // No retries: a refused webhook fails at its first attempt.
  server = await startTestServer({ workers: 1, webhookRetries: 0 });
  call = api(server);
  const srv = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  hook = {
    url: `http://127.0.0.1:${(srv.address() as { port: number }).port}/hook`,
    close: () => new Promise((r) => srv.close(() => r())),
  };
});
after(async () => {
  await server.close();
  await hook.close();
});

async function scrape(key: string | null = null): Promise<Map<string, Family>> {
  const res = await call('/metrics', { key });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('the parser refuses what Prometheus refuses', () => {
  assert.throws(() => parsePrometheus('# TYPE a counter\na 1'), /newline/);
  assert.throws(() => parsePrometheus('a 1\n'), /no # TYPE/);
  assert.throws(() => parsePrometheus('# TYPE a counter\na{x="\\q"} 1\n'), /escape/);
  assert.throws(() => parsePrometheus('# TYPE a counter\na one\n'), /bad value/);
  assert.throws(() => parsePrometheus('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'), /cumulative/);
  assert.throws(() => parsePrometheus('# TYPE a gauge\n# TYPE b gauge\na 1\n'), /one block/);
});

test('/metrics is public, parses, and its counters move as requests run', async () => {
  const before = await scrape();
  for (const name of ['reelhouse_requests_submitted_total', 'reelhouse_run_seconds', 'reelhouse_queue_wait_seconds', 'reelhouse_worker_utilisation', 'reelhouse_upload_bytes_total', 'reelhouse_webhook_deliveries_total']) {
    assert.ok(before.has(name), `${name} is exposed`);
  }
  assert.equal(before.get('reelhouse_run_seconds')?.type, 'histogram');
  assert.equal(valueOf(before, 'reelhouse_worker_slots'), 1);

  // Two that succeed, one that fails, one webhook delivered and one refused.
  const dead = `http://127.0.0.1:${await freePort()}/`;
  assert.equal((await call('/run/reelhouse/noop', { method: 'POST', json: {} })).status, 200);
  assert.equal((await call('/run/reelhouse/noop', { method: 'POST', json: { fail: true } })).status, 500);
  for (const url of [hook.url, dead]) {
    const res = await call(`/queue/reelhouse/noop?fal_webhook=${encodeURIComponent(url)}`, { method: 'POST', json: {} });
    assert.equal(res.status, 200);
  }
  // An upload of 1000 bytes.
  const init = (await (await call('/rest/storage/upload/initiate', { method: 'POST', json: { content_type: 'text/plain' } })).json()) as { upload_url: string };
  assert.equal((await fetch(init.upload_url, { method: 'PUT', body: Buffer.alloc(1000, 120) })).status, 200);

  const after = await until('both webhooks at their end', async () => {
    const m = await scrape();
    return valueOf(m, 'reelhouse_webhook_deliveries_total', { outcome: 'failed' }) >= 1
      && valueOf(m, 'reelhouse_webhook_deliveries_total', { outcome: 'delivered' }) >= 1 && m;
  });
  const moved = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
  assert.equal(moved('reelhouse_requests_submitted_total', NOOP), 4);
  assert.equal(moved('reelhouse_requests_finished_total', { ...NOOP, state: 'succeeded' }), 3);
  assert.equal(moved('reelhouse_requests_finished_total', { ...NOOP, state: 'failed' }), 1);
  assert.equal(moved('reelhouse_queue_wait_seconds_count', NOOP), 4);
  assert.equal(moved('reelhouse_run_seconds_count', { ...NOOP, state: 'succeeded' }), 3);
  assert.equal(moved('reelhouse_webhook_attempts_total', { result: 'ok' }), 1);
  assert.equal(moved('reelhouse_webhook_attempts_total', { result: 'error' }), 1);
  assert.equal(moved('reelhouse_uploads_total'), 1);
  assert.equal(moved('reelhouse_upload_bytes_total'), 1000);
  assert.equal(moved('reelhouse_units_total', NOOP), 0, 'the no-op endpoint is free');
});

test('queue depth, busy slots and utilisation follow a running request; cancel counts as cancelled', async () => {
  const submit = async (json: unknown) =>
    ((await (await call('/queue/reelhouse/noop', { method: 'POST', json })).json()) as { request_id: string }).request_id;
  const running = await submit({ sleep_ms: 60_000, steps: 600 });
  const queued = await submit({});
  const m = await until('one running, one queued', async () => {
    const m = await scrape();
    return valueOf(m, 'reelhouse_worker_busy_slots') === 1 && valueOf(m, 'reelhouse_queue_depth', { priority: 'normal' }) === 1 && m;
  });
  assert.equal(valueOf(m, 'reelhouse_worker_utilisation'), 1);
  assert.equal(valueOf(m, 'reelhouse_requests', { ...NOOP, state: 'running' }), 1);
  assert.equal(valueOf(m, 'reelhouse_requests', { ...NOOP, state: 'queued' }), 1);
  assert.ok(valueOf(m, 'reelhouse_queue_oldest_wait_seconds') >= 0);

  const cancelledBefore = valueOf(m, 'reelhouse_requests_finished_total', { ...NOOP, state: 'cancelled' });
  for (const id of [queued, running]) {
    assert.equal((await call(`/queue/reelhouse/noop/requests/${id}/cancel`, { method: 'PUT' })).status, 202);
  }
  const end = await until('both cancelled and the slot free', async () => {
    const m = await scrape();
    return valueOf(m, 'reelhouse_requests_finished_total', { ...NOOP, state: 'cancelled' }) === cancelledBefore + 2
      && valueOf(m, 'reelhouse_worker_busy_slots') === 0 && m;
  });
  assert.equal(valueOf(end, 'reelhouse_queue_depth', { priority: 'normal' }), 0);
  assert.equal(valueOf(end, 'reelhouse_worker_utilisation'), 0);
});

test('/readyz answers ready without a key; /healthz stays', async () => {
  const ready = await call('/readyz', { key: null });
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  assert.equal((await call('/healthz', { key: null })).status, 200);
});

test('with REELHOUSE_METRICS_TOKEN, /metrics needs it as a bearer token', async () => {
  const guarded = await startTestServer({ workers: 0, metricsToken: 'scrape-secret' });
  try {
    const get = (authorization?: string) => fetch(`${guarded.url}/metrics`, { headers: authorization ? { authorization } : {} });
    assert.equal((await get()).status, 401);
    assert.equal((await get('Bearer wrong')).status, 401);
    assert.equal((await get(`Key ${guarded.key}`)).status, 401, 'an API key is not the metrics token');
    const ok = await get('Bearer scrape-secret');
    assert.equal(ok.status, 200);
    assert.ok(parsePrometheus(await ok.text()).has('reelhouse_queue_depth'));
  } finally {
    await guarded.close();
  }
});
