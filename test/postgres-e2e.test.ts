// The whole server on PostgreSQL (DATABASE_URL), driven by the real client: subscribe with a status
// stream, a failure, a signed webhook, and a restart that finds keys and requests where it left them.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { ApiError, fal, type QueueStatus } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.ts';
import { reelhouse } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const NOOP = 'reelhouse/noop';

let pg: ThrowawayPostgres;
let databaseUrl: string;
let server: TestServer;

before(async () => {
  pg = await startPostgres();
  databaseUrl = await pg.createDatabase();
  server = await startTestServer({ workers: 2, databaseUrl });
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
});
after(async () => {
  await server?.close();
  await pg?.stop();
});

test('postgres: subscribe streams status to COMPLETED; a failure is the error the client raises', async () => {
  const updates: QueueStatus[] = [];
  const result = await fal.subscribe(NOOP, {
    input: { sleep_ms: 400, steps: 3 }, mode: 'streaming', logs: true, onQueueUpdate: (u) => updates.push(u),
  });
  assert.deepEqual(result.data, { ok: true, request_id: result.requestId });
  assert.ok(updates.some((u) => u.status === 'IN_PROGRESS'), JSON.stringify(updates));
  assert.equal(updates.at(-1)?.status, 'COMPLETED');
  const stored = await server.app.store.requests.get(result.requestId);
  assert.equal(stored?.state, 'succeeded');
  assert.ok((await server.app.store.logs.list(result.requestId)).length > 0, 'log lines kept in PostgreSQL');

  await assert.rejects(fal.subscribe(NOOP, { input: { fail: true } }), (err) => err instanceof ApiError && err.status >= 400);
});

test('postgres: a webhook is delivered once, signed with the key kept in the database', async () => {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const { port } = hook.address() as { port: number };
  try {
    const { request_id } = await fal.queue.submit(NOOP, { input: {}, webhookUrl: `http://127.0.0.1:${port}/hook` });
    const end = Date.now() + 15_000;
    while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 1);
    const [h] = got;
    assert.deepEqual(JSON.parse(h!.body), { request_id, gateway_request_id: request_id, status: 'OK', payload: { ok: true, request_id } });
    const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const message = Buffer.from([h!.headers['x-fal-webhook-request-id'], h!.headers['x-fal-webhook-user-id'],
      h!.headers['x-fal-webhook-timestamp'], createHash('sha256').update(h!.body).digest('hex')].join('\n'));
    const signature = Buffer.from(String(h!.headers['x-fal-webhook-signature']), 'hex');
    assert.ok(keys.some((k) => verify(null, message, createPublicKey({ key: k, format: 'jwk' }), signature)));
    // The receiver answers before the dispatcher records the attempt: wait for the record.
    while ((await server.app.store.requests.get(request_id))?.webhookState !== 'delivered' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const attempts = await server.app.store.webhooks.listAttempts(request_id);
    assert.deepEqual(attempts.map((a) => a.statusCode), [200]);
    assert.equal(got.length, 1, 'delivered once');
  } finally {
    await new Promise((r) => hook.close(r));
  }
});

test('postgres: a restarted server finds its keys, requests and signing key in the database', async () => {
  const { requestId: request_id } = await fal.subscribe(NOOP, { input: {} });
  const key = server.key;
  const jwks = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
  await server.close();
  // A fresh data directory: nothing of the state may come from the disk, only from PostgreSQL.
  server = await startTestServer({ workers: 1, databaseUrl });
  const res = await fetch(`${server.url}/queue/reelhouse/noop/requests/${request_id}`, {
    headers: { authorization: `Key ${key}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true, request_id });
  assert.equal(await (await fetch(`${server.url}/.well-known/jwks.json`)).text(), jwks);
});

test('postgres: the operator commands read the same database (DATABASE_URL)', async () => {
  const env = { DATABASE_URL: databaseUrl, REELHOUSE_DATA_DIR: '/nonexistent/reelhouse' };
  const { stdout: keys } = await reelhouse(['keys', 'list'], env);
  assert.ok(keys.includes(server.key.split(':')[0]!), keys);
  const { stdout: requests } = await reelhouse(['requests', 'list', '--state', 'succeeded'], env);
  assert.ok(requests.split('\n').filter((l) => l.includes(NOOP)).length >= 3, requests);
});
