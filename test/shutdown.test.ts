// Shutting down does not wait for the clients that follow a request: status streams end, and a
// waiting synchronous call answers 503 naming its request, which goes on in the queue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, startTestServer } from './support/server.ts';

const NOOP = 'reelhouse/noop';

test('close ends open status streams and waiting /run calls', { timeout: 60_000 }, async () => {
  const server = await startTestServer({ workers: 1 });
  const call = api(server);
  // Long enough that only the shutdown can end what follows it.
  const submitted = await call(`/queue/${NOOP}`, { method: 'POST', json: { sleep_ms: 600_000 } });
  const { status_url: statusUrl } = (await submitted.json()) as { status_url: string };
  const stream = await fetch(`${statusUrl}/stream`, { headers: { authorization: `Key ${server.key}` } });
  assert.equal(stream.status, 200);
  const reader = stream.body?.getReader() ?? assert.fail('no body');
  await reader.read(); // the first event: the stream is open
  const waiting = call(`/run/${NOOP}`, { method: 'POST', json: { sleep_ms: 600_000 } });
  await new Promise((r) => setTimeout(r, 200)); // the /run call is now waiting

  await server.close();

  const answer = await waiting;
  assert.equal(answer.status, 503);
  assert.ok(answer.headers.get('x-fal-request-id'));
  assert.match(((await answer.json()) as { detail: string }).detail, /shutting down/);
  let ended = false;
  while (!ended) ended = (await reader.read()).done;
  assert.ok(ended, 'the status stream ended');
});
