// Webhooks as fal sends them, checked by an independent implementation of fal's documented
// verification (JWKS, Ed25519 over request_id \n user_id \n timestamp \n sha256_hex(body)), and
// delivered through the outbox: retried while the receiver is down, across a server restart.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import http from 'node:http';
import { after, test } from 'node:test';
import { freePort } from './support/process.ts';
import { api, startTestServer, tempDir, type TestServer } from './support/server.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that records what it gets. */
async function receiver(port: number, answer = 200): Promise<{ got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  return { got, close: () => new Promise((r) => srv.close(() => r())) };
}

/** fal's documented check, written from the docs, sharing no code with the server. */
async function verifyFalWebhook(jwksUrl: string, h: http.IncomingHttpHeaders, body: string): Promise<boolean> {
  const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: JsonWebKey[] };
  const ts = Number(h['x-fal-webhook-timestamp']);
  if (Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const message = Buffer.from(
    [h['x-fal-webhook-request-id'], h['x-fal-webhook-user-id'], h['x-fal-webhook-timestamp'], createHash('sha256').update(body).digest('hex')].join('\n'),
  );
  const signature = Buffer.from(String(h['x-fal-webhook-signature']), 'hex');
  return keys.some((k) => verify(null, message, createPublicKey({ key: k, format: 'jwk' }), signature));
}

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('success and error webhooks carry fal payloads and verifiable signatures', async () => {
  const server = await startTestServer({ workers: 1 });
  servers.push(server);
  const call = api(server);
  const port = await freePort();
  const hook = await receiver(port);
  const url = `http://127.0.0.1:${port}/hook?x=1`;
  const submit = async (input: object) => {
    const res = await call(`/queue/reelhouse/noop?fal_webhook=${encodeURIComponent(url)}`, { method: 'POST', json: input });
    return ((await res.json()) as { request_id: string }).request_id;
  };
  const ok = await submit({});
  const bad = await submit({ fail: true });
  await until('two webhooks', async () => hook.got.length >= 2);
  await hook.close();
  const byId = new Map(hook.got.map((g) => [g.headers['x-fal-webhook-request-id'], g]));
  const okHook = byId.get(ok)!;
  const userId = server.key.split(':')[0];
  assert.equal(okHook.headers['x-fal-webhook-user-id'], userId);
  assert.equal(okHook.headers['content-type'], 'application/json');
  assert.ok(await verifyFalWebhook(`${server.url}/.well-known/jwks.json`, okHook.headers, okHook.body));
  assert.equal(await verifyFalWebhook(`${server.url}/.well-known/jwks.json`, okHook.headers, `${okHook.body} `), false, 'a changed body fails');
  assert.deepEqual(JSON.parse(okHook.body), { request_id: ok, gateway_request_id: ok, status: 'OK', payload: { ok: true, request_id: ok } });
  const badHook = byId.get(bad)!;
  assert.ok(await verifyFalWebhook(`${server.url}/.well-known/jwks.json`, badHook.headers, badHook.body));
  const body = JSON.parse(badHook.body) as { status: string; error: string; payload: { detail: string; error_type: string } };
  assert.equal(body.status, 'ERROR');
  assert.equal(body.error, 'Invalid status code: 500');
  assert.equal(body.payload.error_type, 'runner_server_error');
  const attempts = (await (await call(`/queue/reelhouse/noop/requests/${ok}/webhooks`)).json()) as { state: string; attempts: { status_code: number }[] };
  assert.equal(attempts.state, 'delivered');
  assert.deepEqual(attempts.attempts.map((a) => a.status_code), [200]);
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kty: string; crv: string }[] };
  assert.deepEqual([jwks.keys[0]?.kty, jwks.keys[0]?.crv], ['OKP', 'Ed25519']);
});

test('a receiver that is down gets retries with backoff, across a server restart, with the same key', async () => {
  const dataDir = tempDir();
  const config = { workers: 1, dataDir, webhookBaseDelayMs: 150, webhookRetries: 10 };
  let server = await startTestServer(config);
  const jwksBefore = await (await fetch(`${server.url}/.well-known/jwks.json`)).text();
  const port = await freePort(); // nothing listens yet: connections are refused
  const url = `http://127.0.0.1:${port}/hook`;
  const res = await api(server)(`/queue/reelhouse/noop?fal_webhook=${encodeURIComponent(url)}`, { method: 'POST', json: {} });
  const id = ((await res.json()) as { request_id: string }).request_id;
  const key = server.key; // the request is this key's user's, on the restarted server too
  const attemptsOf = async (s: TestServer) =>
    ((await (await api({ url: s.url, key })(`/queue/reelhouse/noop/requests/${id}/webhooks`)).json()) as { state: string; attempts: { status_code: number | null; error: string | null }[] });
  await until('two failed attempts', async () => (await attemptsOf(server)).attempts.length >= 2);
  await server.close();

  const hook = await receiver(port);
  server = await startTestServer(config);
  servers.push(server);
  const done = await until('delivery', async () => {
    const a = await attemptsOf(server);
    return a.state === 'delivered' && a;
  });
  await hook.close();
  assert.equal(hook.got.length, 1);
  assert.ok(done.attempts.length >= 3);
  assert.equal(done.attempts.at(-1)?.status_code, 200);
  assert.ok(done.attempts.slice(0, -1).every((a) => a.status_code === null && a.error), JSON.stringify(done.attempts));
  assert.equal(await (await fetch(`${server.url}/.well-known/jwks.json`)).text(), jwksBefore, 'the signing key is kept');
  assert.ok(await verifyFalWebhook(`${server.url}/.well-known/jwks.json`, hook.got[0]!.headers, hook.got[0]!.body));
});

test('delivery gives up after the configured retries, and never fails the request', async () => {
  const server = await startTestServer({ workers: 1, webhookBaseDelayMs: 20, webhookRetries: 2 });
  servers.push(server);
  const call = api(server);
  const port = await freePort();
  const hook = await receiver(port, 500);
  const res = await call(`/queue/reelhouse/noop?fal_webhook=${encodeURIComponent(`http://127.0.0.1:${port}/`)}`, { method: 'POST', json: {} });
  const id = ((await res.json()) as { request_id: string }).request_id;
  const a = await until('give up', async () => {
    const w = (await (await call(`/queue/reelhouse/noop/requests/${id}/webhooks`)).json()) as { state: string; attempts: { status_code: number }[] };
    return w.state === 'failed' && w;
  });
  await hook.close();
  assert.deepEqual(a.attempts.map((x) => x.status_code), [500, 500, 500]);
  assert.equal((await call(`/queue/reelhouse/noop/requests/${id}`)).status, 200, 'the result is untouched');
});

test('a fal_webhook that is not an http(s) URL is a 422 naming it', async () => {
  const server = await startTestServer({ workers: 0 });
  servers.push(server);
  const res = await api(server)('/queue/reelhouse/noop?fal_webhook=ftp%3A%2F%2Fx', { method: 'POST', json: {} });
  assert.equal(res.status, 422);
  assert.deepEqual(((await res.json()) as { detail: { loc: string[] }[] }).detail[0]?.loc, ['query', 'fal_webhook']);
});
