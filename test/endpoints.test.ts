// The Ray 2 family as fal lists it: every endpoint id answers, with its own schema, and bad input
// for each answers 422 naming the field (at the edge: no worker runs here).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { unitsOf } from '../src/endpoints/cost.ts';
import { defaultEndpoints, runnerOf } from '../src/endpoints/registry.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

const LUMA = 'fal-ai/luma-dream-machine';
const FAMILY = [
  `${LUMA}/ray-2`, `${LUMA}/ray-2/image-to-video`, `${LUMA}/ray-2/reframe`, `${LUMA}/ray-2/modify`,
  `${LUMA}/ray-2-flash`, `${LUMA}/ray-2-flash/image-to-video`, `${LUMA}/ray-2-flash/reframe`, `${LUMA}/ray-2-flash/modify`,
  LUMA, `${LUMA}/image-to-video`,
];

let server: TestServer;
let call: ReturnType<typeof api>;

before(async () => {
  server = await startTestServer({ workers: 0 });
  call = api(server);
});
after(() => server.close());

type Detail = { loc: unknown[]; msg: string; type: string }[];

async function rejected(endpoint: string, input: Record<string, unknown>): Promise<Detail> {
  const res = await call(`/queue/${endpoint}`, { method: 'POST', json: input });
  assert.equal(res.status, 422, `${endpoint} ${JSON.stringify(input)}`);
  return ((await res.json()) as { detail: Detail }).detail;
}

test('every endpoint of the family is served', () => {
  const ids = defaultEndpoints().list().map((e) => e.id);
  for (const id of FAMILY) assert.ok(ids.includes(id), id);
});

test('image-to-video with neither image is text-to-video', () => {
  const i2v = defaultEndpoints().get(`${LUMA}/ray-2/image-to-video`);
  assert.ok(i2v);
  assert.equal(runnerOf(i2v, { prompt: 'p' }), 'scene');
  assert.equal(runnerOf(i2v, { prompt: 'p', end_image_url: 'x' }), 'motion');
});

test("units: Ray 2's rule, flash at its own base, one video for reframe and modify", () => {
  const units = (id: string, input: Record<string, unknown>) => unitsOf(defaultEndpoints().get(id) ?? assert.fail(id), input);
  assert.equal(units(`${LUMA}/ray-2`, { resolution: '1080p', duration: '9s' }), 8);
  assert.equal(units(`${LUMA}/ray-2-flash`, { resolution: '720p', duration: '5s' }), 0.8);
  assert.equal(units(`${LUMA}/ray-2/reframe`, {}), 1);
  assert.equal(units(`${LUMA}/ray-2-flash/modify`, {}), 0.4);
  assert.equal(units(LUMA, {}), 1);
});

describe('422 names the field on every endpoint', () => {
  const video = 'https://example.com/source.mp4';
  for (const model of ['ray-2', 'ray-2-flash']) {
    test(`${model}: text-to-video takes 9s, not 10s`, async () => {
      const [e] = await rejected(`${LUMA}/${model}`, { prompt: 'p', duration: '10s' });
      assert.deepEqual(e?.loc, ['body', 'duration']);
      assert.equal(e?.type, 'type_error.enum');
    });
    test(`${model}/reframe: missing video_url, missing aspect_ratio, an inverted crop box`, async () => {
      const missing = await rejected(`${LUMA}/${model}/reframe`, {});
      assert.deepEqual(missing.map((e) => e.loc[1]).sort(), ['aspect_ratio', 'video_url']);
      const [inverted] = await rejected(`${LUMA}/${model}/reframe`, { video_url: video, aspect_ratio: '1:1', x_start: 300, x_end: 100 });
      assert.deepEqual(inverted?.loc, ['body', 'x_end']);
      const [negative] = await rejected(`${LUMA}/${model}/reframe`, { video_url: video, aspect_ratio: '1:1', grid_position_y: -5 });
      assert.deepEqual(negative?.loc, ['body', 'grid_position_y']);
    });
    test(`${model}/modify: missing video_url, an unknown mode`, async () => {
      const [missing] = await rejected(`${LUMA}/${model}/modify`, { mode: 'flex_1' });
      assert.deepEqual(missing?.loc, ['body', 'video_url']);
      const [mode] = await rejected(`${LUMA}/${model}/modify`, { video_url: video, mode: 'flex_4' });
      assert.deepEqual(mode?.loc, ['body', 'mode']);
      assert.match(mode?.msg ?? '', /adhere_1/);
    });
  }
  test('v1.5 image-to-video requires image_url; v1.5 shapes have no resolution', async () => {
    const [missing] = await rejected(`${LUMA}/image-to-video`, { prompt: 'p' });
    assert.deepEqual(missing?.loc, ['body', 'image_url']);
    const res = await call(`/queue/${LUMA}`, { method: 'POST', json: { prompt: 'p', resolution: '4k' } });
    assert.equal(res.status, 200, 'unknown fields are ignored, as fal does');
  });
});
