// Bytes in and out: upload URLs (no key, single use, size-limited), multipart and resumable
// uploads, lifetimes and the sweeper, and file downloads (Content-Type, Content-Length, ETag,
// Range), all over real HTTP.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Readable } from 'node:stream';
import { FileService } from '../src/blobs/files.ts';
import { FsBlobStore } from '../src/blobs/fs-blobs.ts';
import { parseRange } from '../src/http/range.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { api, startTestServer, tempDir, type TestServer } from './support/server.ts';

let server: TestServer;
let call: ReturnType<typeof api>;
const MiB = 1024 * 1024;

before(async () => {
  server = await startTestServer({ workers: 0, uploadLimitBytes: 2 * MiB, uploadPartLimitBytes: MiB });
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

async function initiateMultipart(headers: Record<string, string> = {}) {
  const res = await call('/rest/storage/upload/initiate-multipart?storage_type=fal-cdn-v3', {
    method: 'POST', json: { content_type: 'video/mp4', file_name: 'big.mp4' }, headers,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { upload_url: string; file_url: string };
}

/** The part URL exactly as fal's client builds it: `{origin}{pathname}/{n}{search}`. */
const partUrl = (uploadUrl: string, n: number | string): string => {
  const u = new URL(uploadUrl);
  return `${u.origin}${u.pathname}/${n}${u.search}`;
};

async function putPart(uploadUrl: string, n: number, body: Uint8Array<ArrayBuffer>) {
  const res = await fetch(partUrl(uploadUrl, n), { method: 'PUT', body });
  return { status: res.status, body: (await res.json()) as { partNumber: number; etag: string; detail?: unknown } };
}

test('multipart: numbered part PUTs answered {partNumber, etag}, then complete joins them in order', async () => {
  const parts = [randomBytes(300_000), randomBytes(300_000), randomBytes(123)];
  const { upload_url, file_url } = await initiateMultipart();
  const answers = [];
  for (const [i, p] of parts.entries()) {
    const { status, body } = await putPart(upload_url, i + 1, p);
    assert.equal(status, 200);
    assert.equal(body.partNumber, i + 1);
    assert.equal(body.etag, createHash('md5').update(p).digest('hex'));
    answers.push({ partNumber: body.partNumber, etag: body.etag });
  }
  assert.equal((await fetch(file_url)).status, 404, 'nothing to serve before complete');
  const done = await fetch(partUrl(upload_url, 'complete'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parts: answers }),
  });
  assert.equal(done.status, 200);
  const whole = Buffer.concat(parts);
  assert.equal(((await done.json()) as { file_size: number }).file_size, whole.length);
  const res = await fetch(file_url);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), whole);
  assert.equal((await putPart(upload_url, 4, parts[0]!)).status, 404, 'complete spends the URL');
});

test('resumable: GET {upload_url} lists the parts held, so a client sends only the rest', async () => {
  const parts = [randomBytes(200_000), randomBytes(200_000), randomBytes(50_000)];
  const { upload_url, file_url } = await initiateMultipart();
  await putPart(upload_url, 1, parts[0]!);
  // An interrupted part: the connection drops mid-body. Nothing of it may be kept.
  await new Promise<void>((resolve) => {
    const u = new URL(partUrl(upload_url, 2));
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { 'content-length': 200_000 } });
    req.on('error', () => resolve());
    req.write(parts[1]!.subarray(0, 70_000), () => setTimeout(() => { req.destroy(); resolve(); }, 50));
  });
  await putPart(upload_url, 3, parts[2]!);
  const status = await fetch(upload_url);
  assert.equal(status.status, 200);
  const st = (await status.json()) as { kind: string; parts: { partNumber: number; etag: string; size: number }[]; received_bytes: number; expires_at: string; max_part_bytes: number };
  assert.equal(st.kind, 'multipart');
  assert.deepEqual(st.parts.map((p) => [p.partNumber, p.size]), [[1, 200_000], [3, 50_000]], 'the cut part is not held');
  assert.equal(st.received_bytes, 250_000);
  assert.ok(Date.parse(st.expires_at) > Date.now());
  const missing = [1, 2, 3].filter((n) => !st.parts.some((p) => p.partNumber === n));
  assert.deepEqual(missing, [2]);
  const sent = await putPart(upload_url, 2, parts[1]!);
  const all = [...st.parts, sent.body].sort((a, b) => a.partNumber - b.partNumber).map(({ partNumber, etag }) => ({ partNumber, etag }));
  const done = await fetch(partUrl(upload_url, 'complete'), { method: 'POST', body: JSON.stringify({ parts: all }) });
  assert.equal(done.status, 200);
  assert.deepEqual(Buffer.from(await (await fetch(file_url)).arrayBuffer()), Buffer.concat(parts));
});

test('multipart: a part sent again replaces the old one; complete checks every etag and the order', async () => {
  const { upload_url } = await initiateMultipart();
  const first = await putPart(upload_url, 1, Buffer.from('old'));
  const again = await putPart(upload_url, 1, Buffer.from('new!'));
  assert.notEqual(first.body.etag, again.body.etag);
  const complete = (parts: unknown) => fetch(partUrl(upload_url, 'complete'), { method: 'POST', body: JSON.stringify({ parts }) });
  const stale = await complete([{ partNumber: 1, etag: first.body.etag }]);
  assert.equal(stale.status, 422);
  assert.deepEqual(((await stale.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc, ['body', 'parts', 0, 'etag']);
  const missing = await complete([{ partNumber: 1, etag: again.body.etag }, { partNumber: 2, etag: 'x' }]);
  assert.equal(missing.status, 422);
  assert.match(JSON.stringify(await missing.json()), /part 2 was never received/);
  assert.equal((await complete([])).status, 422);
  assert.equal((await complete('nope')).status, 422);
  const bad = await fetch(partUrl(upload_url, 'complete'), { method: 'POST', body: '{not json' });
  assert.equal(bad.status, 422);
  const zero = await fetch(partUrl(upload_url, 0), { method: 'PUT', body: 'x' });
  assert.equal(zero.status, 422);
  assert.deepEqual(((await zero.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc, ['path', 'part_number']);
  assert.equal((await fetch(upload_url, { method: 'PUT', body: 'x' })).status, 409, 'a multipart URL takes parts, not one body');
  const ok = await complete([{ partNumber: 1, etag: again.body.etag }]);
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { file_size: number }).file_size, 4);
});

test('multipart limits: a part over the part limit, and parts that add up past the upload limit, are 413', async () => {
  const { upload_url } = await initiateMultipart();
  const big = await putPart(upload_url, 1, randomBytes(MiB + 1));
  assert.equal(big.status, 413);
  assert.match(JSON.stringify(big.body), /REELHOUSE_UPLOAD_PART_LIMIT_MB/);
  assert.equal((await putPart(upload_url, 1, randomBytes(MiB))).status, 200);
  assert.equal((await putPart(upload_url, 2, randomBytes(MiB - 10))).status, 200);
  const over = await putPart(upload_url, 3, randomBytes(100));
  assert.equal(over.status, 413);
  assert.match(JSON.stringify(over.body), /REELHOUSE_UPLOAD_LIMIT_MB/);
  const st = (await (await fetch(upload_url)).json()) as { parts: unknown[] };
  assert.equal(st.parts.length, 2, 'the refused part left nothing');
});

test('DELETE {upload_url} abandons an upload', async () => {
  const { upload_url } = await initiateMultipart();
  await putPart(upload_url, 1, Buffer.from('abc'));
  assert.equal((await fetch(upload_url, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(upload_url)).status, 404);
  assert.equal((await putPart(upload_url, 2, Buffer.from('abc'))).status, 404);
});

test('X-Fal-Object-Lifecycle: checked, and the file expires on time; the sweeper deletes it', async () => {
  const bad = await call('/rest/storage/upload/initiate', {
    method: 'POST', json: { content_type: 'text/plain' }, headers: { 'x-fal-object-lifecycle': '{"expiration_duration_seconds": -5}' },
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(((await bad.json()) as { detail: { loc: unknown[] }[] }).detail[0]?.loc, ['header', 'x-fal-object-lifecycle']);

  const res = await call('/rest/storage/upload/initiate', {
    method: 'POST', json: { content_type: 'text/plain', file_name: 'a.txt' }, headers: { 'x-fal-object-lifecycle': '{"expiration_duration_seconds": 60}' },
  });
  const { upload_url, file_url } = (await res.json()) as { upload_url: string; file_url: string };
  await fetch(upload_url, { method: 'PUT', body: 'hello' });
  const ok = await fetch(file_url);
  assert.equal(ok.status, 200);
  const maxAge = Number(/max-age=(\d+)/.exec(ok.headers.get('cache-control') ?? '')?.[1]);
  assert.ok(maxAge > 50 && maxAge <= 60, `max-age ${maxAge} follows the lifetime`);
  const token = new URL(file_url).pathname.split('/')[2]!;
  const record = await server.app.store.files.getByToken(token);
  assert.ok(record?.expiresAt && Math.abs(record.expiresAt - (Date.now() + 60_000)) < 5000);
  // A minute later, by the store's clock: gone from the URL at once, and from disk at the sweep.
  await server.app.store.files.markReady(record.id, record.size!, Date.now() - 1);
  assert.equal((await fetch(file_url)).status, 404);
  const swept = await server.app.sweeper.sweep();
  assert.ok(swept.expired >= 1);
  assert.equal(await server.app.store.files.getByToken(token), null);
  assert.equal(fs.existsSync(path.join(server.dataDir, 'blobs', record.blobKey)), false);
});

test('a blob store with URLs of its own (S3) gets the PUT and the reads; the file is confirmed when first asked for', async () => {
  const dir = tempDir();
  const presigned: string[] = [];
  class PresigningStore extends FsBlobStore {
    override async presignPut(key: string): Promise<string> {
      presigned.push(key);
      return `https://bucket.s3.test/${key}?X-Amz-Signature=put`;
    }
    override async presignGet(key: string): Promise<string> {
      return `https://bucket.s3.test/${key}?X-Amz-Signature=get`;
    }
  }
  const blobs = new PresigningStore(path.join(dir, 'blobs'));
  const store = SqliteStore.open(path.join(dir, 'db'));
  try {
    const files = new FileService({
      store, blobs, publicUrl: 'http://files.test', uploadUrlTtlMs: 60_000, uploadLimitBytes: MiB, partLimitBytes: MiB,
      defaultLifetimeMs: 86_400_000, signer: null, now: Date.now,
    });
    const { upload_url, file_url } = await files.initiateUpload('u1', 'image/png', 'a.png');
    assert.equal(upload_url, `https://bucket.s3.test/${presigned[0]}?X-Amz-Signature=put`);
    const token = new URL(file_url).pathname.split('/')[2]!;
    assert.equal(await files.find(token), null, 'nothing until the bytes are in the store');
    await blobs.put(presigned[0]!, Readable.from([Buffer.from('png bytes')])); // the client's PUT, straight to the store
    const found = await files.find(token);
    assert.equal(found?.state, 'ready');
    assert.equal(found.size, 9);
    assert.ok(found.expiresAt && found.expiresAt > Date.now() + 86_000_000);
    assert.match((await files.directReadUrl(found))?.url ?? '', /X-Amz-Signature=get/);
  } finally {
    await store.close();
  }
});

test('parseRange', () => {
  assert.deepEqual(parseRange(undefined, 10), { kind: 'full' });
  assert.deepEqual(parseRange('bytes=0-0', 10), { kind: 'partial', range: { start: 0, end: 0 } });
  assert.deepEqual(parseRange('bytes=5-2', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-0', 10), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,4-5', 10), { kind: 'full' });
  assert.deepEqual(parseRange('items=0-1', 10), { kind: 'full' });
});
