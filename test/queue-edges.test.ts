// The queue's edges: start deadlines, idempotent submits, the client's own timeout, retention.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError, fal } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const NOOP = 'reelhouse/noop';
const BASE = '/queue/reelhouse/noop/requests';

let server: TestServer;
let call: ReturnType<typeof api>;

before(async () => {
  server = await startTestServer({ workers: 1, retentionMs: 500 });
  call = api(server);
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
});
after(() => server.close());

test('a request not started before x-fal-request-timeout ends with a user 504 the client does not retry', async () => {
  // The one worker is busy for a while, so the second request cannot start in time.
  const busy = await fal.queue.submit(NOOP, { input: { sleep_ms: 3000 } });
  const started = Date.now();
  await assert.rejects(fal.subscribe(NOOP, { input: {}, startTimeout: 1.5, pollInterval: 100 }), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 504);
    assert.equal(err.timeoutType, 'user');
    assert.equal(err.isUserTimeout, true);
    assert.equal((err.body as { error_type: string }).error_type, 'request_timeout');
    return true;
  });
  const waited = Date.now() - started;
  assert.ok(waited >= 1500, `expired after ${waited} ms, before its deadline`);
  await fal.queue.cancel(NOOP, { requestId: busy.request_id });
});

test('a bad x-fal-request-timeout is a 422 naming the header', async () => {
  const res = await call(`/queue/${NOOP}`, { method: 'POST', json: {}, headers: { 'x-fal-request-timeout': 'soon' } });
  assert.equal(res.status, 422);
  assert.deepEqual(((await res.json()) as { detail: { loc: string[] }[] }).detail[0]?.loc, ['header', 'x-fal-request-timeout']);
});

test('Idempotency-Key (or x-fal-idempotency-key) returns the first request for repeats', async () => {
  const submit = (headers: Record<string, string>) =>
    fal.queue.submit(NOOP, { input: { sleep_ms: 10 }, headers }).then((r) => r.request_id);
  const a = await submit({ 'Idempotency-Key': 'order-42' });
  const b = await submit({ 'Idempotency-Key': 'order-42' });
  const c = await submit({ 'x-fal-idempotency-key': 'order-42' });
  const d = await submit({ 'Idempotency-Key': 'order-43' });
  assert.equal(b, a);
  assert.equal(c, a);
  assert.notEqual(d, a);
  // Keys are per user: another user's same key is another request.
  const other = await server.newKey();
  const res = await call(`/queue/${NOOP}`, { method: 'POST', json: {}, key: other, headers: { 'idempotency-key': 'order-42' } });
  assert.notEqual(((await res.json()) as { request_id: string }).request_id, a);
  const bad = await call(`/queue/${NOOP}`, { method: 'POST', json: {}, headers: { 'idempotency-key': 'has space' } });
  assert.equal(bad.status, 422);
});

test("the client's timeout option cancels the request, which then ends cancelled", async () => {
  let id = '';
  await assert.rejects(
    fal.subscribe(NOOP, { input: { sleep_ms: 20_000, steps: 20 }, timeout: 1000, pollInterval: 100, onEnqueue: (rid) => (id = rid) }),
    /timed out/,
  );
  await fal.queue.subscribeToStatus(NOOP, { requestId: id, pollInterval: 100 });
  const res = await call(`${BASE}/${id}`);
  assert.equal(res.status, 499);
  assert.equal(res.headers.get('x-fal-error-type'), 'client_cancelled');
});

test('past the retention period a request answers 404 with a clear message', async () => {
  const { requestId } = await fal.subscribe(NOOP, { input: {} });
  assert.equal((await call(`${BASE}/${requestId}`)).status, 200);
  await new Promise((r) => setTimeout(r, 600));
  await server.app.housekeeper.purge();
  for (const p of [`${BASE}/${requestId}`, `${BASE}/${requestId}/status`]) {
    const res = await call(p);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { detail: string }).detail, /retention period/);
  }
});
