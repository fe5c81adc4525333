// Queue behaviour the client depends on: fal.run, queue positions, cancel, failures as data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiError, ValidationError, fal } from '@fal-ai/client';
import sharp from 'sharp';
import { reelhouseConfig } from '../src/client.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const BASE = '/queue/fal-ai/luma-dream-machine/requests';

let server: TestServer;
let call: ReturnType<typeof api>;
let png: string;

before(async () => {
  server = await startTestServer({ workers: 1 });
  call = api(server);
  fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
  const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#a04020' } }).png().toBuffer();
  png = `data:image/png;base64,${bytes.toString('base64')}`;
});
after(() => server.close());

test('fal.run answers with the output and the request id', async () => {
  const result = await fal.run(ENDPOINT, { input: { prompt: 'p', image_url: png } });
  assert.match(result.requestId, /^[0-9a-f-]{36}$/);
  assert.equal((result.data as { video: { content_type: string } }).video.content_type, 'video/mp4');
});

test('queue positions are exact, low priority waits behind normal, and cancel ends queued work', async () => {
  const submit = async (priority: 'normal' | 'low') => {
    const res = await call(`/queue/${ENDPOINT}`, { method: 'POST', json: { prompt: 'p', image_url: png }, headers: { 'x-fal-queue-priority': priority } });
    assert.equal(res.status, 200);
    return (await res.json()) as { request_id: string; queue_position: number; status: string };
  };
  // The worker takes the first; the rest wait behind it.
  const first = await submit('normal');
  const low = await submit('low');
  const a = await submit('normal');
  const b = await submit('normal');
  const position = async (id: string) => {
    const body = (await (await call(`${BASE}/${id}/status`)).json()) as { status: string; queue_position?: number };
    return body.status === 'IN_QUEUE' ? body.queue_position : body.status;
  };
  // b is behind a and (maybe) first; low is behind both normals.
  const [pa, pb, pl] = [await position(a.request_id), await position(b.request_id), await position(low.request_id)];
  assert.equal(typeof pa, 'number');
  assert.equal(pb, (pa as number) + 1);
  assert.equal(pl, (pb) + 1);

  const cancel = await call(`${BASE}/${low.request_id}/cancel`, { method: 'PUT' });
  assert.equal(cancel.status, 202);
  assert.deepEqual(await cancel.json(), { status: 'CANCELLATION_REQUESTED' });
  const status = (await (await call(`${BASE}/${low.request_id}/status`)).json()) as { status: string; error_type: string };
  assert.equal(status.status, 'COMPLETED');
  assert.equal(status.error_type, 'client_cancelled');
  // Polling ends (COMPLETED), and the result says why.
  await fal.queue.subscribeToStatus(ENDPOINT, { requestId: low.request_id, pollInterval: 50 });
  await assert.rejects(fal.queue.result(ENDPOINT, { requestId: low.request_id }), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 499);
    return true;
  });
  const again = await call(`${BASE}/${low.request_id}/cancel`, { method: 'PUT' });
  assert.equal(again.status, 400);
  assert.deepEqual(await again.json(), { status: 'ALREADY_COMPLETED' });

  for (const r of [first, a, b]) await fal.queue.subscribeToStatus(ENDPOINT, { requestId: r.request_id, pollInterval: 100 });
  const done = await call(`${BASE}/${b.request_id}/status`);
  assert.equal(done.status, 200);
});

test('a running render shows progress and a preview frame; cancelling it stops it and the result answers an error', async () => {
  const { request_id } = await fal.queue.submit(ENDPOINT, { input: { prompt: 'p', image_url: png, resolution: '1080p', aspect_ratio: '9:21' } });
  let preview: string;
  for (;;) {
    const s = (await fal.queue.status(ENDPOINT, { requestId: request_id, logs: true })) as { status: string; progress?: { preview_url: string | null; fraction: number } };
    if (s.status === 'IN_PROGRESS' && s.progress?.preview_url) {
      preview = s.progress.preview_url;
      break;
    }
    assert.notEqual(s.status, 'COMPLETED', 'finished before it could be cancelled');
    await new Promise((r) => setTimeout(r, 20));
  }
  const frame = await fetch(preview); // a capability URL, like file URLs: no key
  assert.equal(frame.status, 200);
  assert.equal(frame.headers.get('content-type'), 'image/jpeg');
  assert.equal(frame.headers.get('cache-control'), 'no-store');
  assert.deepEqual([...new Uint8Array(await frame.arrayBuffer()).subarray(0, 2)], [0xff, 0xd8]);
  await fal.queue.cancel(ENDPOINT, { requestId: request_id });
  await fal.queue.subscribeToStatus(ENDPOINT, { requestId: request_id, pollInterval: 50 });
  const res = await call(`${BASE}/${request_id}`);
  assert.equal(res.status, 499);
  assert.equal(res.headers.get('x-fal-error-type'), 'client_cancelled');
  assert.equal(((await res.json()) as { error_type: string }).error_type, 'client_cancelled');
});

test('a result asked for too early is a clear 400', async () => {
  const { request_id } = await fal.queue.submit(ENDPOINT, { input: { prompt: 'p', image_url: png } });
  const res = await call(`${BASE}/${request_id}`);
  if (res.status !== 200) {
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { detail: 'Request is still in progress' });
  }
  await fal.queue.subscribeToStatus(ENDPOINT, { requestId: request_id, pollInterval: 100 });
});

test('an image that sniffs right but does not decode is refused at submit, naming the field', async () => {
  const broken = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('definitely not the rest of a png')]);
  await assert.rejects(
    fal.queue.submit(ENDPOINT, { input: { prompt: 'p', image_url: `data:image/png;base64,${broken.toString('base64')}` } }),
    (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.fieldErrors[0]?.loc, ['body', 'image_url']);
      return true;
    },
  );
});

test('a runner error ends the request COMPLETED, its result answering the error', async () => {
  const { request_id } = await fal.queue.submit('reelhouse/noop', { input: { fail: true } });
  await fal.queue.subscribeToStatus('reelhouse/noop', { requestId: request_id, pollInterval: 50 });
  const status = (await (await call(`/queue/reelhouse/noop/requests/${request_id}/status`)).json()) as { status: string; error: string; error_type: string };
  assert.equal(status.status, 'COMPLETED');
  assert.match(status.error, /failed on request/);
  assert.equal(status.error_type, 'runner_server_error');
  const res = await call(`/queue/reelhouse/noop/requests/${request_id}`);
  assert.equal(res.status, 500);
  assert.equal(res.headers.get('x-fal-error-type'), 'runner_server_error');
  assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['detail', 'error_type']);
});
