// reelhouse with its blobs in S3 (Swift's S3 API on loopback, real SigV4 credentials), driven by
// the real @fal-ai/client: an upload PUT straight to the bucket and used at once as a request's
// input, a multipart upload above the client's 90 MiB switch, an image-to-video request whose
// output is read back through /files/… (a redirect to the bucket, or streamed), presigned part
// URLs, the sweeper's view of direct uploads, and a wrong secret refused at start and at the door.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { createFalClient } from '@fal-ai/client';
import { S3BlobStore } from '../../src/blobs/s3-blobs.ts';
import { S3Unavailable } from '../../src/blobs/s3-client.ts';
import { FileSweeper } from '../../src/blobs/sweeper.ts';
import { UrlSigner } from '../../src/blobs/url-signing.ts';
import { reelhouseConfig } from '../../src/client.ts';
import { resumeUpload } from '../../src/resumable-upload.ts';
import { loadConfig, type S3Config } from '../../src/config.ts';
import { makeTestImage } from '../support/media.ts';
import { freePort, reelhouse } from '../support/process.ts';
import { api, startTestServer, tempDir, type TestServer } from '../support/server.ts';
import { startSwift, type ThrowawaySwift } from '../support/swift.ts';
import { assertVideo } from '../support/video.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const MiB = 1024 * 1024;
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const urlOf = (input: RequestInfo | URL): string => (input instanceof Request ? input.url : input.toString());

let swift: ThrowawaySwift;
let bucket: string;
let server: TestServer;
let image: string;

const s3 = (patch: Record<string, string> = {}): S3Config => loadConfig({ ...swift.env(bucket), ...patch }).s3!;

/** A real PNG grown to `size` bytes by a private ancillary chunk, which decoders skip. */
function paddedPng(png: Buffer, size: number): Uint8Array<ArrayBuffer> {
  const padLength = size - png.length - 12;
  const chunk = Buffer.alloc(12 + padLength);
  chunk.writeUInt32BE(padLength, 0);
  chunk.write('rhPd', 4, 'latin1');
  for (let i = 0; i < padLength; i += 4096) chunk.writeUInt32BE(i, 8 + i);
  chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 8 + padLength)), 8 + padLength);
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

/** A fal client for `target` that records where its PUTs go. */
function falClient(target: TestServer, puts: string[] = []) {
  return createFalClient({
    ...reelhouseConfig({ url: target.url, credentials: target.key }),
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT') puts.push(urlOf(input));
      return fetch(input, init);
    }),
  });
}

before(async () => {
  swift = await startSwift();
  bucket = await swift.createBucket();
  server = await startTestServer({ s3: s3() });
  image = path.join(tempDir(), 'start.png');
  await makeTestImage(image, { width: 800, height: 600, seed: 7 });
});
after(async () => {
  await server?.close();
  await swift?.stop();
});

test('s3: storage.upload PUTs straight to the bucket; the file is an input at once; the video is read back through a redirect', async () => {
  const puts: string[] = [];
  const fal = falClient(server, puts);
  const png = fs.readFileSync(image);
  const url = await fal.storage.upload(new File([png], 'start.png', { type: 'image/png' }));
  assert.equal(puts.length, 1);
  assert.equal(new URL(puts[0]!).origin, swift.endpoint, 'the bytes went to S3, not through the server');
  assert.match(puts[0]!, /X-Amz-Signature=/);
  assert.ok(url.startsWith(server.url), 'the file URL is the server\'s');

  // Submitted before anyone read the file: the submit's check finds the bytes in the bucket.
  const result = await fal.subscribe(ENDPOINT, { input: { prompt: 'slow push in', image_url: url } });
  const video = result.data.video as { url: string; content_type: string };
  assert.ok(video.url.startsWith(`${server.url}/files/`));
  const redirect = await fetch(video.url, { redirect: 'manual' });
  assert.equal(redirect.status, 307);
  const location = redirect.headers.get('location') ?? '';
  assert.equal(new URL(location).origin, swift.endpoint);
  assert.match(redirect.headers.get('cache-control') ?? '', /^private, max-age=\d+$/);
  const direct = await fetch(location, { headers: { range: 'bytes=0-11' } });
  assert.equal(direct.status, 206, 'Range works at the bucket');
  assert.equal(direct.headers.get('content-type'), 'video/mp4');
  assert.match(direct.headers.get('content-disposition') ?? '', /^inline; filename=".+\.mp4"$/);
  assert.equal(Buffer.from(await direct.arrayBuffer()).subarray(4, 8).toString('latin1'), 'ftyp');
  await assertVideo(video.url, { width: 960, height: 540, start: image }); // fetch follows the redirect

  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, 200, 'HEAD is answered by the server');
  assert.equal(head.headers.get('content-length'), String(png.length));
  const read = await fetch(url);
  assert.equal(read.url.startsWith(swift.endpoint), true);
  assert.equal(md5(new Uint8Array(await read.arrayBuffer())), md5(png));
});

test('s3: a 95 MiB storage.upload goes multipart through the server into S3, and becomes a video', async () => {
  const puts: string[] = [];
  const fal = falClient(server, puts);
  const bytes = paddedPng(fs.readFileSync(image), 95 * MiB);
  const url = await fal.storage.upload(new File([bytes], 'big.png', { type: 'image/png' }));
  assert.equal(puts.length, 10, 'ten parts of the client\'s 10 MiB');
  assert.ok(puts.every((u) => u.startsWith(`${server.url}/files/upload/`)), 'fal\'s client builds part URLs from the upload URL');
  const res = await fetch(url);
  assert.equal(md5(new Uint8Array(await res.arrayBuffer())), md5(bytes), 'byte for byte, from the bucket');
  const result = await fal.subscribe(ENDPOINT, { input: { prompt: 'slow push in', image_url: url, aspect_ratio: '9:16' } });
  await assertVideo((result.data.video as { url: string }).url, { width: 540, height: 960, start: image });
});

test('s3: presigned part URLs take parts straight to the bucket; parts under 5 MiB but the last are refused at complete', async () => {
  const call = api(server);
  const init = await call('/rest/storage/upload/initiate-multipart', { method: 'POST', json: { content_type: 'application/octet-stream', file_name: 'p.bin' } });
  const { upload_url, file_url } = (await init.json()) as { upload_url: string; file_url: string };
  const p1 = randomBytes(5 * MiB);
  const p2 = randomBytes(1000);
  const parts = [];
  for (const [n, bytes] of [[1, p1], [2, p2]] as const) {
    const where = (await (await fetch(`${upload_url}/${n}/url`, { method: 'POST' })).json()) as { url: string; direct: boolean };
    assert.equal(where.direct, true);
    assert.equal(new URL(where.url).origin, swift.endpoint);
    const put = await fetch(where.url, { method: 'PUT', body: bytes });
    assert.equal(put.status, 200);
    parts.push({ partNumber: n, etag: put.headers.get('etag')!.replace(/"/g, '') });
  }
  assert.deepEqual(parts.map((p) => p.etag), [md5(p1), md5(p2)]);
  const status = (await (await fetch(upload_url)).json()) as { received_bytes: number; min_part_bytes: number };
  assert.deepEqual([status.received_bytes, status.min_part_bytes], [p1.length + p2.length, 5 * MiB]);
  // Parts through the server answer with the etag in the header too; this one is too small to come first.
  const small = await fetch(`${upload_url}/3`, { method: 'PUT', body: p2 });
  assert.equal(small.headers.get('etag'), `"${md5(p2)}"`);
  const refused = await fetch(`${upload_url}/complete`, { method: 'POST', body: JSON.stringify({ parts: [{ partNumber: 2, etag: md5(p2) }, { partNumber: 3, etag: md5(p2) }] }) });
  assert.equal(refused.status, 422);
  const detail = ((await refused.json()) as { detail: { loc: unknown[]; msg: string }[] }).detail[0]!;
  assert.deepEqual(detail.loc, ['body', 'parts', 0, 'partNumber']);
  assert.match(detail.msg, /at least 5242880 bytes/);
  const done = await fetch(`${upload_url}/complete`, { method: 'POST', body: JSON.stringify({ parts }) });
  assert.equal(done.status, 200);
  assert.equal(((await done.json()) as { file_size: number }).file_size, p1.length + p2.length);
  assert.equal(md5(new Uint8Array(await (await fetch(file_url)).arrayBuffer())), md5(Buffer.concat([p1, p2])));
});

test('s3: resumeUpload reuses the parts held and sends the rest straight to the bucket', async () => {
  const call = api(server);
  const init = await call('/rest/storage/upload/initiate-multipart', { method: 'POST', json: { content_type: 'application/octet-stream', file_name: 'r.bin' } });
  const { upload_url } = (await init.json()) as { upload_url: string };
  const bytes = randomBytes(12 * MiB);
  assert.equal((await fetch(`${upload_url}/1`, { method: 'PUT', body: bytes.subarray(0, 5 * MiB) })).status, 200, 'one part through the server, then the client went away');
  const sent: string[] = [];
  const fileUrl = await resumeUpload(upload_url, new Blob([bytes]), {
    partSize: 5 * MiB,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT') sent.push(urlOf(input));
      return fetch(input, init);
    }),
  });
  assert.equal(sent.length, 2, 'parts 2 and 3 only');
  assert.ok(sent.every((u) => u.startsWith(`${swift.endpoint}/`) && /partNumber=[23]/.test(u)), 'straight to the bucket');
  assert.equal(md5(new Uint8Array(await (await fetch(fileUrl)).arrayBuffer())), md5(bytes));
});

test('s3: direct uploads nobody asked for are confirmed by the sweeper, one over the limit deleted, expired files swept from the bucket; active types are streamed', async () => {
  const small = await startTestServer({ workers: 0, s3: s3({ S3_PREFIX: 'small/' }), uploadLimitBytes: MiB });
  try {
    const call = api(small);
    const initiate = async (contentType: string) =>
      (await (await call('/rest/storage/upload/initiate', { method: 'POST', json: { content_type: contentType, file_name: 'f' } })).json()) as { upload_url: string; file_url: string };
    const kept = await initiate('text/html');
    const big = await initiate('application/octet-stream');
    assert.equal((await fetch(kept.upload_url, { method: 'PUT', body: '<h1>hi</h1>' })).status, 200);
    assert.equal((await fetch(big.upload_url, { method: 'PUT', body: randomBytes(MiB + 1) })).status, 200, 'S3 cannot know the limit');
    // A sweep three hours on (past the upload URLs' expiry and the sweeper's hour of grace).
    const blobs = await S3BlobStore.open({ config: s3({ S3_PREFIX: 'small/' }), tmpDir: tempDir() });
    let clock = Date.now() + 3 * 3_600_000;
    const logger = { info: () => undefined, error: () => undefined };
    const sweeper = new FileSweeper({ store: small.app.store, blobs, logger, now: () => clock, everyMs: 60_000, uploadLimitBytes: MiB, defaultLifetimeMs: 86_400_000 });
    try {
      assert.deepEqual(await sweeper.sweep(), { expired: 0, abandoned: 0, confirmed: 2 });
      const page = await fetch(kept.file_url, { redirect: 'manual' });
      assert.equal(page.status, 200, 'HTML is not redirected to the bucket: it is streamed with the sandbox headers');
      assert.equal(page.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(await page.text(), '<h1>hi</h1>');
      assert.equal((await fetch(big.file_url)).status, 404, 'over the limit: deleted');

      // Its day of life over, the confirmed file goes from the bucket, then from the records.
      const record = await small.app.store.files.getByToken(new URL(kept.file_url).pathname.split('/')[2]!);
      assert.ok(record && (await blobs.stat(record.blobKey)));
      clock += 2 * 86_400_000;
      assert.deepEqual(await sweeper.sweep(), { expired: 1, abandoned: 0, confirmed: 0 });
      assert.equal(await blobs.stat(record.blobKey), null);
      assert.equal(await small.app.store.files.getByToken(record.token), null);
    } finally {
      blobs.close();
    }
  } finally {
    await small.close();
  }
});

test('s3: S3_UPLOADS and S3_READS=server carry the bytes through the server', async () => {
  const proxied = await startTestServer({ workers: 0, s3: s3({ S3_UPLOADS: 'server', S3_READS: 'server' }) });
  try {
    const puts: string[] = [];
    const bytes = randomBytes(200_000);
    const url = await falClient(proxied, puts).storage.upload(new File([bytes], 'b.bin', { type: 'application/octet-stream' }));
    assert.ok(puts[0]?.startsWith(`${proxied.url}/files/upload/`));
    const res = await fetch(url, { redirect: 'manual', headers: { range: 'bytes=100-199' } });
    assert.equal(res.status, 206);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(100, 200));
  } finally {
    await proxied.close();
  }
});

test('s3: in signed-URL mode the bucket\'s URL dies no later than the signed URL that led to it', async () => {
  const secret = 'a test secret of enough length';
  const signed = await startTestServer({ workers: 0, s3: s3(), fileUrls: 'signed', fileUrlSecret: secret });
  try {
    const url = await falClient(signed).storage.upload(new File([fs.readFileSync(image)], 's.png', { type: 'image/png' }));
    const u = new URL(url);
    assert.equal((await fetch(`${u.origin}${u.pathname}`, { redirect: 'manual' })).status, 403, 'no signature, no redirect');
    const soon = `${u.origin}${u.pathname}?${new UrlSigner(secret).query(u.pathname.split('/')[2]!, Date.now() + 30_000)}`;
    const res = await fetch(soon, { redirect: 'manual' });
    assert.equal(res.status, 307);
    const expires = Number(new URL(res.headers.get('location')!).searchParams.get('X-Amz-Expires'));
    assert.ok(expires > 0 && expires <= 31, `X-Amz-Expires ${expires}`); // the signature's expiry is rounded up to a second
  } finally {
    await signed.close();
  }
});

test('s3: a wrong secret stops the server at start with a clear message; a tampered upload URL is refused by S3', async () => {
  await assert.rejects(startTestServer({ s3: s3({ S3_SECRET_ACCESS_KEY: 'wrong' }) }), (err: Error) => {
    assert.ok(err instanceof S3Unavailable);
    assert.match(err.message, /S3_SECRET_ACCESS_KEY is not the secret of S3_ACCESS_KEY_ID=test:tester/);
    return true;
  });
  const dataDir = tempDir();
  const started = reelhouse(['serve', '--port', String(await freePort()), '--data-dir', dataDir], { ...swift.env(bucket), S3_SECRET_ACCESS_KEY: 'wrong', REELHOUSE_WORKERS: '0' });
  await assert.rejects(started, (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /^reelhouse: S3 blob store: .*S3_SECRET_ACCESS_KEY is not the secret/);
    assert.doesNotMatch(err.stderr, /\n\s+at /, 'a message, not a stack trace');
    return true;
  });

  const call = api(server);
  const { upload_url } = (await (await call('/rest/storage/upload/initiate', { method: 'POST', json: { content_type: 'image/png' } })).json()) as { upload_url: string };
  const tampered = upload_url.replace(/(X-Amz-Signature=)([0-9a-f])/, (_m, k: string, c: string) => `${k}${c === '0' ? '1' : '0'}`);
  const res = await fetch(tampered, { method: 'PUT', body: 'x' });
  assert.equal(res.status, 403);
  assert.match(await res.text(), /SignatureDoesNotMatch/);
});
