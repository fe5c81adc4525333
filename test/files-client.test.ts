// Large uploads through the real @fal-ai/client: a 200 MiB image goes multipart (the client's
// own 10 MiB parts), an interrupted multipart upload is resumed, and both become correct videos.
// Also: the submit's storageSettings set the output's lifetime, and signed-URL mode.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { createFalClient } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { resumeUpload } from '../src/resumable-upload.ts';
import { makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { assertVideo } from './support/video.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const MiB = 1024 * 1024;

let server: TestServer;
let image: string;

/** A real, small PNG grown to `size` bytes by a private ancillary chunk, which decoders skip. */
function paddedPng(png: Buffer, size: number): Uint8Array<ArrayBuffer> {
  const padLength = size - png.length - 12;
  const chunk = Buffer.alloc(12 + padLength);
  chunk.writeUInt32BE(padLength, 0);
  chunk.write('rhPd', 4, 'latin1');
  for (let i = 0; i < padLength; i += 4096) chunk.writeUInt32BE(i, 8 + i); // not all zeros
  chunk.writeUInt32BE(zlib.crc32(chunk.subarray(4, 8 + padLength)), 8 + padLength);
  const ihdrEnd = 8 + 25; // signature, then IHDR (length, type, 13 bytes, crc)
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const urlOf = (input: RequestInfo | URL): string => (input instanceof Request ? input.url : input.toString());

before(async () => {
  server = await startTestServer();
  image = path.join(tempDir(), 'start.png');
  await makeTestImage(image, { width: 800, height: 600, seed: 5 });
});
after(() => server.close());

test('storage.upload of a 200 MiB file goes multipart and becomes a video; storageSettings set its lifetime', async () => {
  const parts: string[] = [];
  const fal = createFalClient({
    ...reelhouseConfig({ url: server.url, credentials: server.key }),
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = urlOf(input);
      if (init?.method === 'PUT' && /\/files\/upload\/[^/]+\/\d+$/.test(url)) parts.push(url);
      return fetch(input, init);
    }),
  });
  const bytes = paddedPng(fs.readFileSync(image), 200 * MiB);
  const url = await fal.storage.upload(new File([bytes], 'huge.png', { type: 'image/png' }));
  assert.equal(parts.length, 20, 'twenty 10 MiB parts');
  const res = await fetch(url);
  assert.equal(res.headers.get('content-length'), String(bytes.length));
  assert.equal(md5(new Uint8Array(await res.arrayBuffer())), md5(bytes), 'byte for byte');

  const result = await fal.subscribe(ENDPOINT, {
    input: { prompt: 'slow push in', image_url: url },
    storageSettings: { expiresIn: '1h' },
  });
  const video = result.data.video;
  await assertVideo(video.url, { width: 960, height: 540, start: image });
  const token = new URL(video.url).pathname.split('/')[2]!;
  const record = await server.app.store.files.getByToken(token);
  assert.ok(record?.expiresAt, 'the output has an expiry');
  assert.ok(Math.abs(record.expiresAt - (record.createdAt + 3_600_000)) < 1000, 'x-fal-object-lifecycle-preference: 1 h');
});

test('an interrupted multipart upload is resumed, sending only the missing parts, and becomes a video', async () => {
  let uploadUrl = '';
  let failing = true;
  const fal = createFalClient({
    ...reelhouseConfig({ url: server.url, credentials: server.key }),
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = urlOf(input);
      const part = /^(.*\/files\/upload\/[^/]+)\/(\d+)$/.exec(url);
      if (part) uploadUrl = part[1]!;
      // The network goes away at part 5: the client tries three times, then gives up.
      if (failing && part && Number(part[2]) >= 5) throw new TypeError('fetch failed: network is unreachable');
      return fetch(input, init);
    }),
  });
  const bytes = paddedPng(fs.readFileSync(image), 95 * MiB);
  const file = new File([bytes], 'resumed.png', { type: 'image/png' });
  await assert.rejects(fal.storage.upload(file), /retries exhausted/);
  failing = false;

  const status = (await (await fetch(uploadUrl)).json()) as { parts: { partNumber: number }[] };
  assert.deepEqual(status.parts.map((p) => p.partNumber), [1, 2, 3, 4]);
  const sent: string[] = [];
  const fileUrl = await resumeUpload(uploadUrl, file, {
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT') sent.push(urlOf(input));
      return fetch(input, init);
    }),
  });
  assert.deepEqual(sent.map((u) => Number(u.split('/').pop())), [5, 6, 7, 8, 9, 10], 'only the missing parts');
  assert.equal(md5(new Uint8Array(await (await fetch(fileUrl)).arrayBuffer())), md5(bytes));

  const result = await fal.subscribe(ENDPOINT, { input: { prompt: 'slow push in', image_url: fileUrl, aspect_ratio: '9:16' } });
  await assertVideo(result.data.video.url, { width: 540, height: 960, start: image });
});

test('signed-URL mode: file URLs carry an expiry and a signature, and need them', async () => {
  const signed = await startTestServer({ workers: 0, fileUrls: 'signed', fileUrlSecret: 'a test secret of enough length' });
  try {
    const fal = createFalClient(reelhouseConfig({ url: signed.url, credentials: signed.key }));
    const url = await fal.storage.upload(new File(['hello'], 'a.txt', { type: 'text/plain' }));
    const u = new URL(url);
    assert.match(u.search, /^\?exp=\d+&sig=[\w-]+$/);
    assert.equal(await (await fetch(url)).text(), 'hello');
    const bare = `${u.origin}${u.pathname}`;
    assert.equal((await fetch(bare)).status, 403, 'the token alone opens nothing');
    const forged = new URL(url);
    forged.searchParams.set('exp', String(Number(forged.searchParams.get('exp')) + 86_400));
    assert.equal((await fetch(forged)).status, 403, 'the expiry is signed');
  } finally {
    await signed.close();
  }
});
