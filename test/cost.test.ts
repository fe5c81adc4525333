// Cost: fal's units for Ray 2 per resolution and duration, recorded at submit, shown in the
// COMPLETED status's metrics, and summed per user by GET /usage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ray2Units, unitsOf } from '../src/endpoints/cost.ts';
import { defaultEndpoints } from '../src/endpoints/registry.ts';
import { reelhouse } from './support/process.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const RAY2 = 'fal-ai/luma-dream-machine/ray-2/image-to-video';

test("Ray 2's rule: 540p 1×, 720p 2×, 1080p 4×, 9 s 2×, a flash base of its own", () => {
  const cases: [string, string, number][] = [
    ['540p', '5s', 1], ['720p', '5s', 2], ['1080p', '5s', 4],
    ['540p', '9s', 2], ['720p', '9s', 4], ['1080p', '9s', 8],
  ];
  for (const [resolution, duration, units] of cases) {
    assert.equal(ray2Units({ resolution, duration }), units, `${resolution} ${duration}`);
  }
  assert.equal(ray2Units({}), 1, 'absent fields are the base');
  assert.equal(ray2Units({ resolution: '1080p' }, 0.4), 1.6, 'a variant with its own base');
  const endpoints = defaultEndpoints();
  assert.equal(unitsOf(endpoints.get('reelhouse/noop')!, {}), 0, 'the no-op endpoint is free');
  assert.equal(unitsOf(endpoints.get(RAY2)!, { resolution: '720p', duration: '5s' }), 2);
});

let server: TestServer;
let png: string;

before(async () => {
  // No worker: requests stay queued until the test finishes them through the store, so no render runs.
  server = await startTestServer({ workers: 0 });
  const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#306090' } }).png().toBuffer();
  png = `data:image/png;base64,${bytes.toString('base64')}`;
});
after(() => server.close());

async function submit(key: string, endpoint: string, input: unknown): Promise<string> {
  const res = await api({ url: server.url, key })(`/queue/${endpoint}`, { method: 'POST', json: input });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { request_id: string }).request_id;
}

/** Finishes the oldest queued request as a worker would. */
async function finishNext(state: 'succeeded' | 'failed'): Promise<void> {
  const claim = await server.app.store.requests.claim('test-worker', 5000, Date.now());
  assert.ok(claim);
  const outcome = state === 'succeeded'
    ? { state, result: { video: { url: 'x' } } } as const
    : { state, failure: { status: 500, detail: 'boom', errorType: 'runner_server_error' } } as const;
  assert.ok(await server.app.store.requests.finish(claim.request.id, claim.leaseToken, outcome, Date.now()));
}

test('units are recorded at submit, shown on COMPLETED, and summed per user by GET /usage', async () => {
  const alice = await server.newKey('alice');
  const alice2 = await server.newKey('alice');
  const bob = await server.newKey('bob');
  const a1 = await submit(alice, RAY2, { prompt: 'p', image_url: png, resolution: '1080p' });
  const a2 = await submit(alice2, RAY2, { prompt: 'p', image_url: png, resolution: '720p' });
  const a3 = await submit(alice, RAY2, { prompt: 'p', image_url: png }); // fails: not billed
  const b1 = await submit(bob, 'reelhouse/noop', {});
  await finishNext('succeeded');
  await finishNext('succeeded');
  await finishNext('failed');
  await finishNext('succeeded');

  const status = async (key: string, app: string, id: string) => {
    const res = await api({ url: server.url, key })(`/queue/${app}/requests/${id}/status`);
    assert.equal(res.status, 200);
    return (await res.json()) as { status: string; metrics: { units: number; inference_time: number | null } };
  };
  assert.deepEqual((await status(alice, 'fal-ai/luma-dream-machine', a1)).metrics.units, 4);
  assert.deepEqual((await status(alice, 'fal-ai/luma-dream-machine', a2)).metrics.units, 2);
  assert.deepEqual((await status(alice, 'fal-ai/luma-dream-machine', a3)).metrics.units, 0);
  assert.deepEqual((await status(bob, 'reelhouse/noop', b1)).metrics.units, 0);

  const usage = async (key: string, query = '') => {
    const res = await api({ url: server.url, key })(`/usage${query}`);
    return { code: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const mine = await usage(alice2);
  assert.equal(mine.code, 200);
  assert.deepEqual(mine.body, {
    user_id: 'alice', since: null, until: null, requests: 3, succeeded: 2, units: 6,
    endpoints: [{ endpoint_id: RAY2, requests: 3, succeeded: 2, units: 6 }],
  });
  const theirs = await usage(bob);
  assert.deepEqual(theirs.body.endpoints, [{ endpoint_id: 'reelhouse/noop', requests: 1, succeeded: 1, units: 0 }]);
  assert.equal((await usage(alice, '?since=2999-01-01')).body.requests, 0);
  assert.equal((await usage(alice, '?until=2999-01-01T00:00:00Z')).body.units, 6);

  const bad = await usage(alice, '?since=yesterday');
  assert.equal(bad.code, 422);
  assert.deepEqual((bad.body.detail as { loc: unknown[] }[])[0]?.loc, ['query', 'since']);
  const noKey = await api(server)('/usage', { key: null });
  assert.equal(noKey.status, 401);

  // The operator's view of the same data directory.
  const cli = await reelhouse(['usage', '--data-dir', server.dataDir, '--user', 'alice']);
  assert.match(cli.stdout, new RegExp(`^alice\\t${RAY2}\\t3\\t2\\t6$`, 'm'));
  assert.match(cli.stdout, /^total\t\t3\t2\t6$/m);
  await assert.rejects(reelhouse(['usage', '--data-dir', server.dataDir, '--since', 'soon']), (err: { code: number }) => err.code === 2);
});
