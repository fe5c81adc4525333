// Status streams, progress and the streamed run, with the real client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fal, type QueueStatus } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const NOOP = 'reelhouse/noop';
const BASE = '/queue/reelhouse/noop/requests';

let server: TestServer;
let call: ReturnType<typeof api>;

before(async () => {
  server = await startTestServer({ workers: 1, sseKeepAliveMs: 200 });
  call = api(server);
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
});
after(() => server.close());

/** Reads a whole SSE response into its events and comments. */
async function readSse(res: Response): Promise<{ events: Record<string, unknown>[]; comments: number }> {
  const text = await res.text();
  const events: Record<string, unknown>[] = [];
  let comments = 0;
  for (const block of text.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments++;
      else if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
    }
  }
  return { events, comments };
}

test('the status stream sends an event per change with only new log lines, keeps alive, closes after COMPLETED', async () => {
  const { request_id } = await fal.queue.submit(NOOP, { input: { sleep_ms: 1200, steps: 4 } });
  const res = await call(`${BASE}/${request_id}/status/stream?logs=1`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const { events, comments } = await readSse(res);
  assert.ok(comments >= 1, 'keep-alive comments during silence');
  assert.equal(events.at(-1)?.status, 'COMPLETED');
  assert.ok(events.some((e) => e.status === 'IN_PROGRESS'));
  const lines = events.flatMap((e) => ((e.logs as { message: string }[] | null | undefined) ?? []).map((l) => l.message));
  // Every log line exactly once across the events.
  assert.equal(lines.filter((m) => m === 'step 2 of 4').length, 1);
  assert.equal(new Set(lines).size, lines.length);
  assert.ok(lines.includes('Completed'));
  const progress = events.flatMap((e) => (e.progress ? [e.progress as { fraction: number; stage: string; eta_seconds: number | null }] : []));
  assert.ok(progress.length >= 2, JSON.stringify(events));
  assert.ok(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1]!.fraction), 'progress never goes back');
  assert.equal(progress[0]?.stage, 'sleep');
});

test("the client's subscribe in streaming mode and queue.streamStatus", async () => {
  const updates: QueueStatus[] = [];
  const result = await fal.subscribe(NOOP, {
    input: { sleep_ms: 600, steps: 3 },
    mode: 'streaming',
    logs: true,
    onQueueUpdate: (u) => updates.push(u),
  });
  assert.deepEqual(result.data, { ok: true, request_id: result.requestId });
  assert.equal(updates.at(-1)?.status, 'COMPLETED');
  const last = updates.at(-1) as { logs: { message: string }[] };
  assert.ok(last.logs.some((l) => l.message === 'step 3 of 3'), 'the client accumulates the lines');

  const { request_id } = await fal.queue.submit(NOOP, { input: { sleep_ms: 300 } });
  const stream = await fal.queue.streamStatus(NOOP, { requestId: request_id, logs: false });
  const seen: string[] = [];
  stream.on('data', (d: QueueStatus) => seen.push(d.status));
  const final = await stream.done();
  assert.equal(final.status, 'COMPLETED');
  assert.equal(seen.at(-1), 'COMPLETED');
});

test('a finished request streams one COMPLETED event and closes', async () => {
  const { requestId } = await fal.subscribe(NOOP, { input: {} });
  const { events } = await readSse(await call(`${BASE}/${requestId}/status/stream`));
  assert.deepEqual(events.map((e) => e.status), ['COMPLETED']);
});

test('polled status carries progress while running; unknown fields do not disturb the client', async () => {
  const { request_id } = await fal.queue.submit(NOOP, { input: { sleep_ms: 1500, steps: 10 } });
  interface Progress { fraction: number; eta_seconds: number | null; stage: string }
  let seen: Progress | undefined;
  for (let i = 0; i < 100 && !seen; i++) {
    const s = (await (await call(`${BASE}/${request_id}/status`)).json()) as { progress?: Progress };
    if (s.progress && s.progress.fraction > 0.2) seen = s.progress;
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(seen, 'progress while running');
  assert.ok(seen.fraction > 0 && seen.fraction < 1);
  assert.equal(typeof seen.eta_seconds, 'number');
  await fal.queue.subscribeToStatus(NOOP, { requestId: request_id, pollInterval: 100 });
});

test('fal.stream: progress events, then the output as the last event', async () => {
  const stream = await fal.stream(NOOP, { input: { sleep_ms: 400, steps: 2 } });
  const events: unknown[] = [];
  for await (const e of stream) events.push(e);
  const final: unknown = await stream.done();
  assert.deepEqual(Object.keys(final as object).sort(), ['ok', 'request_id']);
  assert.ok(events.length >= 2);
  const failed = await fal.stream(NOOP, { input: { fail: true } });
  const error = (await failed.done()) as { error_type: string; status_code: number };
  assert.equal(error.error_type, 'runner_server_error');
  assert.equal(error.status_code, 500);
});
