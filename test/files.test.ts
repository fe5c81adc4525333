// Bytes in and out: upload URLs (no key, single use, size-limited) and file downloads
// (Content-Type, Content-Length, ETag, Range), all over real HTTP.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { parseRange } from '../src/http/range.ts';
import { api, startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let call: ReturnType<typeof api>;
const MiB = 1024 * 1024;

before(async () => {
  server = await startTestServer({ workers: 0, uploadLimitBytes: 2 * MiB });
  call = api(server);
});
after(() => server.close());

async function initiate(body: unknown = { content_type: 'application/octet-stream', file_name: 'blob.bin' }) {
  const res = await call('/rest/storage/upload/initiate?storage_type=fal-cdn-v3', { method: 'POST', json: body });
  assert.equal(res.status, 200);
  return (await res.json()) as { upload_url: string; file_url: string };
}

test('an upload URL takes one PUT without a key, then the file is served plainly', async () => {
  const bytes = randomBytes(300_000);
  const { upload_url, file_url } = await initiate();
  assert.notEqual(new URL(upload_url).pathname, new URL(file_url).pathname);
  assert.equal((await fetch(file_url)).status, 404, 'nothing to serve before the PUT');
  const put = await fetch(upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.status, 200);
  const again = await fetch(upload_url, { method: 'PUT', body: bytes });
  assert.equal(again.status, 404, 'single use');
  const res = await fetch(file_url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/octet-stream');
  assert.equal(res.headers.get('content-length'), String(bytes.length));
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.ok(res.headers.get('etag'));
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
});

test('Range requests: 206 for one range, 416 past the end, 304 for a matching ETag, HEAD', async () => {
  const bytes = randomBytes(10_000);
  const { upload_url, file_url } = await initiate({ content_type: 'video/mp4', file_name: '../../etc/clip.mp4' });
  assert.match(file_url, /\/clip\.mp4$/, 'the name is reduced to its base');
  await fetch(upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': 'video/mp4' } });
  const cases: [string, number, number][] = [['bytes=0-99', 0, 99], ['bytes=9000-', 9000, 9999], ['bytes=-10', 9990, 9999], ['bytes=9990-20000', 9990, 9999]];
  for (const [range, start, end] of cases) {
    const res = await fetch(file_url, { headers: { range } });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/10000`);
    assert.equal(res.headers.get('content-length'), String(end - start + 1));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(start, end + 1));
  }
  const past = await fetch(file_url, { headers: { range: 'bytes=10000-' } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), 'bytes */10000');
  const head = await fetch(file_url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '10000');
  assert.equal(head.headers.get('content-type'), 'video/mp4');
  const cached = await fetch(file_url, { headers: { 'if-none-match': head.headers.get('etag')! } });
  assert.equal(cached.status, 304);
});

test('an upload over the limit is refused with 413 and a clear message', async () => {
  const { upload_url, file_url } = await initiate();
  const res = await fetch(upload_url, { method: 'PUT', body: randomBytes(3 * MiB) });
  assert.equal(res.status, 413);
  assert.match(((await res.json()) as { detail: string }).detail, /REELHOUSE_UPLOAD_LIMIT_MB/);
  assert.equal((await fetch(file_url)).status, 404);
});

test('an upload streamed without a length is cut off at the limit too', async () => {
  const { upload_url } = await initiate();
  const chunk = randomBytes(256 * 1024);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent >= 4 * MiB) return c.close();
      sent += chunk.length;
      c.enqueue(chunk);
    },
  });
  const res = await fetch(upload_url, { method: 'PUT', body, duplex: 'half' } as RequestInit);
  assert.equal(res.status, 413);
});

test('unknown upload tokens are 404', async () => {
  const res = await fetch(`${server.url}/files/upload/AAAAAAAAAAAAAAAAAAAAAA`, { method: 'PUT', body: 'x' });
  assert.equal(res.status, 404);
});

test('parseRange', () => {
  assert.deepEqual(parseRange(undefined, 10), { kind: 'full' });
  assert.deepEqual(parseRange('bytes=0-0', 10), { kind: 'partial', range: { start: 0, end: 0 } });
  assert.deepEqual(parseRange('bytes=5-2', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,4-5', 10), { kind: 'full' });
  assert.deepEqual(parseRange('items=0-1', 10), { kind: 'full' });
});
