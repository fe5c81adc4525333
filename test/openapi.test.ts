// The OpenAPI documents: valid OpenAPI 3.1 (swagger-parser, against the OAI's 3.1 schema), every
// component a valid JSON Schema 2020-12 (ajv, strict), every example valid against its schema and
// accepted by the endpoint's own validation; the index, 404s and 422s; /docs self-contained.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { defaultEndpoints } from '../src/endpoints/registry.ts';
import { parseInput } from '../src/endpoints/validate.ts';
import { EXAMPLES } from '../src/openapi/examples.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

type Json = Record<string, unknown>;
const RAY2 = 'fal-ai/luma-dream-machine/ray-2/image-to-video';

let server: TestServer;
let call: ReturnType<typeof api>;

before(async () => {
  server = await startTestServer({ workers: 0 });
  call = api(server);
});
after(() => server.close());

async function documentOf(id: string): Promise<Json> {
  const res = await call(`/openapi.json?endpoint_id=${encodeURIComponent(id)}`, { key: null });
  assert.equal(res.status, 200);
  return (await res.json()) as Json;
}

test('without endpoint_id: every endpoint with links to its document and docs', async () => {
  const res = await call('/openapi.json', { key: null });
  assert.equal(res.status, 200);
  const { endpoints } = (await res.json()) as { endpoints: { endpoint_id: string; openapi_url: string; docs_url: string }[] };
  assert.deepEqual(endpoints.map((e) => e.endpoint_id).sort(), defaultEndpoints().list().map((e) => e.id).sort());
  for (const e of endpoints) {
    assert.equal((await fetch(e.openapi_url)).status, 200, e.openapi_url);
    assert.equal((await fetch(e.docs_url)).status, 200, e.docs_url);
  }
});

test('every document is valid OpenAPI 3.1 with valid 2020-12 schemas, and every example validates', async () => {
  for (const endpoint of defaultEndpoints().list()) {
    const doc = await documentOf(endpoint.id);
    assert.equal(doc.openapi, '3.1.0');
    await SwaggerParser.validate(structuredClone(doc) as never);

    const paths = Object.keys(doc.paths as Json);
    const app = endpoint.id.split('/').slice(0, 2).join('/');
    for (const p of [`/queue/${endpoint.id}`, `/queue/${app}/requests/{request_id}/status`, `/queue/${app}/requests/{request_id}/status/stream`,
      `/queue/${app}/requests/{request_id}`, `/queue/${app}/requests/{request_id}/cancel`, `/run/${endpoint.id}`]) {
      assert.ok(paths.includes(p), `${endpoint.id}: ${p}`);
    }

    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    for (const [name, schema] of Object.entries(schemas)) {
      assert.ok(ajv.validateSchema(schema), `${endpoint.id} ${name}: ${ajv.errorsText()}`);
      const validate = ajv.compile(schema);
      for (const example of (schema.examples as unknown[] | undefined) ?? []) {
        assert.ok(validate(example), `${endpoint.id} ${name} example: ${ajv.errorsText(validate.errors)}`);
      }
    }
    // Input schemas as a client sends them: defaulted fields are optional.
    const inputName = Object.keys(schemas).find((n) => n.endsWith('Input'))!;
    const input = schemas[inputName]!;
    const required = (input.required as string[] | undefined) ?? [];
    for (const [field, prop] of Object.entries(input.properties as Record<string, Json>)) {
      if ('default' in prop) assert.ok(!required.includes(field), `${endpoint.id}: ${field} has a default, so it is optional`);
    }
    const example = EXAMPLES[endpoint.id];
    if (example) {
      assert.ok(ajv.compile(input)(example.input));
      parseInput(endpoint.input, example.input); // the server's own validation accepts it
      if (example.output !== undefined) parseInput(endpoint.output, example.output);
    }
  }
});

test('the validator is not a rubber stamp: a broken document is refused', async () => {
  const doc = structuredClone(await documentOf('reelhouse/noop')) as { paths: Record<string, Record<string, Json>> };
  const submit = doc.paths['/queue/reelhouse/noop']!.post!;
  submit.responses = { 200: { content: {} } }; // a response needs a description
  await assert.rejects(SwaggerParser.validate(doc as never), /description/);
});

test("Ray 2's document carries the seed page's example and fal's fields", async () => {
  const doc = await documentOf(RAY2);
  const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
  const input = schemas.LumaDreamMachineRay2ImageToVideoInput!;
  assert.deepEqual(input.required, ['prompt']);
  assert.deepEqual((input.examples as Json[])[0], {
    prompt: 'A stylish woman walks down a Tokyo street filled with warm glowing neon and animated city signage.',
    image_url: 'https://fal.media/files/elephant/8kkhB12hEZI2kkbU8pZPA_test.jpeg',
    aspect_ratio: '16:9', resolution: '540p', duration: '5s',
  });
  assert.deepEqual((input.properties as Record<string, Json>).resolution!.enum, ['540p', '720p', '1080p']);
  assert.deepEqual((doc.servers as Json[])[0], { url: server.url });
  assert.ok(schemas.QueueStatus && schemas.LumaDreamMachineRay2ImageToVideoOutput);
});

test('an unknown endpoint is a 404 with JSON; a repeated endpoint_id is a 422', async () => {
  for (const path of ['/openapi.json?endpoint_id=nobody/nothing', '/docs?endpoint_id=nobody/nothing']) {
    const res = await call(path, { key: null });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { detail: string }).detail, /nobody\/nothing/);
  }
  const res = await call('/openapi.json?endpoint_id=a&endpoint_id=b', { key: null });
  assert.equal(res.status, 422);
  assert.deepEqual(((await res.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc, ['query', 'endpoint_id']);
});

test('/docs is one self-contained page: no script, nothing from another origin', async () => {
  const res = await call('/docs', { key: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script|<link|<img|@import|url\(/i);
  for (const m of html.matchAll(/(?:href|src)="([^"]*)"/g)) assert.match(m[1]!, /^[#/]/, `local link: ${m[1]}`);
  for (const e of defaultEndpoints().list()) assert.ok(html.includes(e.title), e.title);
  assert.ok(html.includes('A stylish woman walks down a Tokyo street'), 'the seed example is shown');
  assert.ok(html.includes('/status/stream'), 'the queue paths are shown');
  const one = await (await call(`/docs?endpoint_id=${encodeURIComponent('reelhouse/noop')}`, { key: null })).text();
  assert.ok(one.includes('sleep_ms') && !one.includes('aspect_ratio'));
});
