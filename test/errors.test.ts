// Bad input answers clearly and never as a 500: 422 naming the field, 401 without a valid key,
// 404 for what does not exist or is someone else's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fal, ValidationError } from '@fal-ai/client';
import sharp from 'sharp';
import { reelhouseConfig } from '../src/client.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const SUBMIT = `/queue/${ENDPOINT}`;

let server: TestServer;
let call: ReturnType<typeof api>;
let png: string;

before(async () => {
  // No worker: these tests look at the edge only, and requests stay queued.
  server = await startTestServer({ workers: 0 });
  call = api(server);
  const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toBuffer();
  png = `data:image/png;base64,${bytes.toString('base64')}`;
});
after(() => server.close());

async function detail(res: Response): Promise<{ loc: unknown[]; msg: string; type: string }[]> {
  assert.equal(res.status, 422);
  const body = (await res.json()) as { detail: { loc: unknown[]; msg: string; type: string }[] };
  assert.ok(Array.isArray(body.detail));
  return body.detail;
}

describe('422 names the field', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['missing prompt', { image_url: '' }, 'prompt', 'value_error.missing'],
    ['unknown aspect ratio', { aspect_ratio: '1:1' }, 'aspect_ratio', 'type_error.enum'],
    ['unknown resolution', { resolution: '4k' }, 'resolution', 'type_error.enum'],
    ['unknown duration', { duration: '9s' }, 'duration', 'type_error.enum'],
    ['wrong type for loop', { loop: 'yes' }, 'loop', 'type_error.bool'],
    ['wrong type for prompt', { prompt: 42 }, 'prompt', 'type_error.str'],
    ['wrong type for image_url', { image_url: 7 }, 'image_url', 'type_error.str'],
  ];
  for (const [name, patch, field, type] of cases) {
    test(name, async () => {
      const input = { prompt: 'p', image_url: png, ...patch };
      if ('image_url' in patch && patch.image_url === '') delete (input as Record<string, unknown>).prompt;
      const errors = await detail(await call(SUBMIT, { method: 'POST', json: input }));
      const e = errors.find((x) => x.loc[1] === field);
      assert.ok(e, JSON.stringify(errors));
      assert.deepEqual(e.loc, ['body', field]);
      assert.equal(e.type, type);
      assert.ok(e.msg.length > 0);
    });
  }

  test('a data URI that is not an image', async () => {
    const notImage = `data:image/png;base64,${Buffer.from('hello, this is text').toString('base64')}`;
    const [e] = await detail(await call(SUBMIT, { method: 'POST', json: { prompt: 'p', image_url: notImage } }));
    assert.deepEqual(e?.loc, ['body', 'image_url']);
    assert.match(e?.msg ?? '', /not an image/);
  });

  test('a malformed data URI and a non-URL', async () => {
    for (const bad of ['data:image/png;base64', 'not a url', 'ftp://example.com/x.png']) {
      const [e] = await detail(await call(SUBMIT, { method: 'POST', json: { prompt: 'p', end_image_url: bad } }));
      assert.deepEqual(e?.loc, ['body', 'end_image_url']);
    }
  });

  test('a file URL of this server that does not exist', async () => {
    const url = `${server.url}/files/AAAAAAAAAAAAAAAAAAAAAA/x.png`;
    const [e] = await detail(await call(SUBMIT, { method: 'POST', json: { prompt: 'p', image_url: url } }));
    assert.deepEqual(e?.loc, ['body', 'image_url']);
    assert.match(e?.msg ?? '', /does not exist/);
  });

  test('a body that is not an object, and one that is not JSON', async () => {
    const [a] = await detail(await call(SUBMIT, { method: 'POST', json: ['x'] }));
    assert.deepEqual(a?.loc, ['body']);
    const [b] = await detail(await call(SUBMIT, { method: 'POST', body: '{"prompt":', headers: { 'content-type': 'application/json' } }));
    assert.equal(b?.type, 'value_error.jsondecode');
  });

  test('a bad x-fal-queue-priority header', async () => {
    const [e] = await detail(await call(SUBMIT, { method: 'POST', json: { prompt: 'p', image_url: png }, headers: { 'x-fal-queue-priority': 'urgent' } }));
    assert.deepEqual(e?.loc, ['header', 'x-fal-queue-priority']);
  });

  test('the real client raises ValidationError with fieldErrors', async () => {
    fal.config(reelhouseConfig({ url: server.url, credentials: server.key }));
    await assert.rejects(fal.queue.submit(ENDPOINT, { input: { image_url: png, aspect_ratio: '5:4' } as never }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.status, 422);
      assert.equal(err.getFieldErrors('prompt')[0]?.type, 'value_error.missing');
      assert.equal(err.getFieldErrors('aspect_ratio')[0]?.type, 'type_error.enum');
      return true;
    });
  });
});

describe('401 without a valid key', () => {
  const routes: [string, string][] = [
    ['POST', SUBMIT],
    ['GET', '/queue/fal-ai/luma-dream-machine/requests/00000000-0000-0000-0000-000000000000/status'],
    ['GET', '/queue/fal-ai/luma-dream-machine/requests/00000000-0000-0000-0000-000000000000'],
    ['PUT', '/queue/fal-ai/luma-dream-machine/requests/00000000-0000-0000-0000-000000000000/cancel'],
    ['POST', `/run/${ENDPOINT}`],
    ['POST', '/rest/storage/upload/initiate?storage_type=fal-cdn-v3'],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path}`, async () => {
      const [id] = server.key.split(':');
      for (const key of [null, 'nonsense', `${id}:wrong-secret`, 'aaaa:bbbb']) {
        const res = await call(path, method === 'GET' ? { key } : { method, json: {}, key });
        assert.equal(res.status, 401, `key ${String(key)}`);
        assert.match(((await res.json()) as { detail: string }).detail, /Authorization: Key/);
      }
    });
  }

  test('a revoked key, and the proxy route checks keys too', async () => {
    const key = await server.newKey();
    assert.equal((await call('/rest/storage/upload/initiate', { method: 'POST', json: {}, key })).status, 200);
    await server.app.store.keys.revoke(key.split(':')[0]!, Date.now());
    assert.equal((await call('/rest/storage/upload/initiate', { method: 'POST', json: {}, key })).status, 401);
    const proxied = await call('/api/fal/proxy', { method: 'POST', json: {}, key: null, headers: { 'x-fal-target-url': `https://queue.fal.run/${ENDPOINT}` } });
    assert.equal(proxied.status, 401);
  });

  test('/healthz needs no key', async () => {
    assert.equal((await call('/healthz', { key: null })).status, 200);
  });
});

describe('404 for what is not there or not yours', () => {
  test('unknown endpoint', async () => {
    const res = await call('/queue/fal-ai/no-such-model', { method: 'POST', json: { prompt: 'p' } });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { detail: string }).detail, /fal-ai\/no-such-model/);
  });

  test('unknown request id, on status, result and cancel', async () => {
    const base = '/queue/fal-ai/luma-dream-machine/requests/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    for (const [method, p] of [['GET', `${base}/status`], ['GET', base], ['PUT', `${base}/cancel`]] as const) {
      const res = await call(p, { method });
      assert.equal(res.status, 404, `${method} ${p}`);
      assert.equal(res.headers.get('content-type')?.startsWith('application/json'), true);
    }
  });

  test("another user's request, and the right id under the wrong app", async () => {
    const res = await call(SUBMIT, { method: 'POST', json: { prompt: 'p', image_url: png } });
    assert.equal(res.status, 200);
    const { request_id, status_url } = (await res.json()) as { request_id: string; status_url: string };
    assert.equal(status_url, `${server.url}/queue/fal-ai/luma-dream-machine/requests/${request_id}/status`);
    const mine = await call(`/queue/fal-ai/luma-dream-machine/requests/${request_id}/status`);
    assert.equal(mine.status, 202);
    const other = await server.newKey();
    for (const p of [`/status`, ``, `/cancel`]) {
      const res2 = await call(`/queue/fal-ai/luma-dream-machine/requests/${request_id}${p}`, { method: p === '/cancel' ? 'PUT' : 'GET', key: other });
      assert.equal(res2.status, 404);
    }
    const wrongApp = await call(`/queue/fal-ai/flux/requests/${request_id}/status`);
    assert.equal(wrongApp.status, 404);
    // A second key of the same user does see it.
    const sameUser = await server.newKey(server.key.split(':')[0]);
    assert.equal((await call(`/queue/fal-ai/luma-dream-machine/requests/${request_id}/status`, { key: sameUser })).status, 202);
  });

  test('unknown paths and files', async () => {
    assert.equal((await call('/nope')).status, 404);
    assert.equal((await call('/files/AAAAAAAAAAAAAAAAAAAAAA/x.mp4', { key: null })).status, 404);
  });
});

test('the proxy route without a usable target answers 400', async () => {
  const none = await call('/api/fal/proxy', { method: 'POST', json: {} });
  assert.equal(none.status, 400);
  const foreign = await call('/api/fal/proxy', { method: 'GET', headers: { 'x-fal-target-url': 'https://example.com/x' } });
  assert.equal(foreign.status, 400);
  assert.match(((await foreign.json()) as { detail: string }).detail, /example\.com/);
});
