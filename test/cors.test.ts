// Browser applications on another origin: preflights answered without a key, responses (event
// streams included) carrying the CORS headers, and a narrowed origin list honoured.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let narrow: TestServer;

before(async () => {
  server = await startTestServer({ workers: 1 });
  narrow = await startTestServer({ workers: 0, corsOrigins: ['https://app.example'] });
});
after(async () => {
  await server.close();
  await narrow.close();
});

test('a preflight of a submit is answered without a key', async () => {
  const res = await fetch(`${server.url}/queue/reelhouse/noop`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-fal-queue-priority' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type, x-fal-queue-priority');
});

test('responses and event streams carry the allow-origin and expose x-fal-request-id', async () => {
  const call = api(server);
  const res = await call('/queue/reelhouse/noop', { method: 'POST', json: {}, headers: { origin: 'https://app.example' } });
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-expose-headers') ?? '', /x-fal-request-id/);
  const { request_id } = (await res.json()) as { request_id: string };
  const stream = await call(`/queue/reelhouse/noop/requests/${request_id}/status/stream`, { headers: { origin: 'https://app.example' } });
  assert.equal(stream.headers.get('access-control-allow-origin'), '*');
  assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
  await stream.text();
});

test('a narrowed origin list allows only its origins', async () => {
  const ok = await fetch(`${narrow.url}/healthz`, { headers: { origin: 'https://app.example' } });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
  const other = await fetch(`${narrow.url}/healthz`, { headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});
