// File inputs through the real client: URLs into the server's own network are refused with a
// 422 naming the field and no connection made (a listener records every accept), an allowed
// development host is fetched (and may not redirect inside), and broken media is refused with
// a message a user can act on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { createFalClient, ValidationError } from '@fal-ai/client';
import sharp from 'sharp';
import { reelhouseConfig } from '../src/client.ts';
import { makeTestImage } from './support/media.ts';
import { startTestServer, tempDir, type TestServer } from './support/server.ts';
import { assertVideo } from './support/video.ts';

const ENDPOINT = 'fal-ai/luma-dream-machine/ray-2/image-to-video';
const MiB = 1024 * 1024;

/** A TCP listener on loopback (IPv4 and IPv6) that counts the connections it accepts. */
async function recordingListener(): Promise<{ port: number; accepted: () => number; close: () => void }> {
  let count = 0;
  const v4 = net.createServer((s) => { count++; s.destroy(); });
  await new Promise<void>((r) => v4.listen(0, '127.0.0.1', r));
  const port = (v4.address() as net.AddressInfo).port;
  const v6 = net.createServer((s) => { count++; s.destroy(); });
  await new Promise<void>((r) => v6.once('error', () => r()).listen(port, '::1', r));
  return { port, accepted: () => count, close: () => { v4.close(); v6.close(); } };
}

/** A small HTTP server standing for "a host on the internet", allowed through the allowlist. */
async function webHost(handler: http.RequestListener): Promise<{ port: number; hits: string[]; close: () => void }> {
  const hits: string[] = [];
  const srv = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, hits, close: () => { srv.closeAllConnections(); srv.close(); } };
}

/** A PNG that declares `w`×`h` pixels in a few bytes: its image data is cut short. */
function bombPng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // 8-bit
  ihdr[9] = 2; // RGB
  const rows = zlib.deflateSync(Buffer.alloc((w * 3 + 1) * 4)); // the first four rows only
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

let server: TestServer;
let listener: Awaited<ReturnType<typeof recordingListener>>;
let web: Awaited<ReturnType<typeof webHost>>;
let fal: ReturnType<typeof createFalClient>;
let png: Buffer;
let jpeg: Buffer;
let mp4: Uint8Array<ArrayBuffer>;

before(async () => {
  listener = await recordingListener();
  const dir = tempDir();
  await makeTestImage(path.join(dir, 'a.png'), { width: 640, height: 480, seed: 2 });
  png = fs.readFileSync(path.join(dir, 'a.png'));
  jpeg = await sharp(png).jpeg().toBuffer();
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=0.5', '-pix_fmt', 'yuv420p', path.join(dir, 'v.mp4')]);
  mp4 = new Uint8Array(fs.readFileSync(path.join(dir, 'v.mp4')));
  web = await webHost((req, res) => {
    if (req.url === '/photo') return res.writeHead(200, { 'content-type': 'text/plain' }).end(png); // mislabelled: the bytes decide
    if (req.url === '/inside') return res.writeHead(302, { location: `http://127.0.0.1:${listener.port}/x.png` }).end();
    if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (req.url === '/truncated.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg.subarray(0, jpeg.length >> 1));
    if (req.url === '/text.png') return res.writeHead(200, { 'content-type': 'image/png' }).end('just some words, not a picture\n');
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'image/png' }); // chunked: no length to refuse early
      res.write(png.subarray(0, 64));
      const zeros = Buffer.alloc(MiB);
      for (let i = 0; i < 3; i++) res.write(zeros);
      return res.end();
    }
    if (req.url === '/slow') return void res.writeHead(200, { 'content-type': 'image/png' }); // and never a body
    res.writeHead(404).end();
  });
  server = await startTestServer({
    fetchAllowHosts: [`127.0.0.1:${web.port}`],
    fetchLimitBytes: 2 * MiB,
    fetchTimeoutMs: 1500,
  });
  fal = createFalClient(reelhouseConfig({ url: server.url, credentials: server.key }));
});
after(async () => {
  await server.close();
  listener.close();
  web.close();
});

/** The 422 fal's client raises for `image_url`, from submit or from the result. */
async function refusal(imageUrl: string, via: 'submit' | 'subscribe' = 'submit'): Promise<string> {
  const input = { prompt: 'p', image_url: imageUrl };
  const err = await (via === 'submit' ? fal.queue.submit(ENDPOINT, { input }) : fal.subscribe(ENDPOINT, { input })).then(
    () => assert.fail(`${imageUrl} was accepted`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ValidationError, `${imageUrl}: ${String(err)}`);
  assert.equal(err.status, 422);
  const [first] = err.fieldErrors;
  assert.deepEqual(first?.loc, ['body', 'image_url'], imageUrl);
  assert.match(first.msg, /^image_url /);
  return first.msg;
}

describe('URL inputs into the server network are refused, and never connected to', () => {
  test('every blocked range, in every spelling', async () => {
    const p = (): number => listener.port;
    const urls = [
      `http://127.0.0.1:${p()}/`, 'http://localhost/', `http://localhost:${p()}/x.png`, 'http://[::1]/', `http://[::1]:${p()}/`,
      'http://0.0.0.0/', `http://0.0.0.0:${p()}/`, 'http://[::]/', 'http://10.0.0.1/', 'http://172.16.0.1/', 'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/', 'http://224.0.0.1/', 'http://[fe80::1]/', 'http://[fd00:ec2::254]/',
      `http://2130706433:${p()}/`, 'http://2130706433/', `http://0177.0.0.1:${p()}/`, 'http://0177.0.0.1/', `http://0x7f.1:${p()}/`,
      `http://[::ffff:127.0.0.1]:${p()}/`, 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a9fe:a9fe]/', 'http://[64:ff9b::7f00:1]/',
    ];
    for (const url of urls) assert.match(await refusal(url), /points to .* which this server does not fetch from/, url);
    assert.equal(listener.accepted(), 0, 'no connection was made');
  });

  test('an allowed host that redirects into the network: the second hop is refused', async () => {
    const before = web.hits.length;
    const msg = await refusal(`http://127.0.0.1:${web.port}/inside`, 'subscribe');
    assert.match(msg, /a loopback address \(127\.0\.0\.1:\d+ → 127\.0\.0\.1\)/);
    assert.deepEqual(web.hits.slice(before), ['/inside']);
    assert.equal(listener.accepted(), 0, 'no connection was made');
  });

  test('other schemes and credentials in URLs are refused at submit', async () => {
    assert.match(await refusal('file:///etc/passwd'), /http\(s\) URL or a data URI/);
    assert.match(await refusal('ftp://example.com/a.png'), /http\(s\) URL or a data URI/);
    assert.match(await refusal(`http://user:pw@127.0.0.1:${web.port}/photo`), /user name or password/);
  });
});

describe('an allowed development host', () => {
  test('is fetched, its type sniffed from the bytes (not its header), and becomes a video', async () => {
    const result = await fal.subscribe(ENDPOINT, { input: { prompt: 'p', image_url: `http://127.0.0.1:${web.port}/photo` } });
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'a.png'), png);
    await assertVideo(result.data.video.url, { width: 960, height: 540, start: path.join(dir, 'a.png') });
  });

  test('fetch failures are 422s naming the field: redirect loops, size, time, 404, wrong bytes', async () => {
    const at = (p: string): string => `http://127.0.0.1:${web.port}${p}`;
    assert.match(await refusal(at('/loop'), 'subscribe'), /redirects more than 5 times/);
    assert.match(await refusal(at('/huge'), 'subscribe'), /larger than this server fetches \(2097152 bytes\)/);
    assert.match(await refusal(at('/slow'), 'subscribe'), /could not be fetched within 1500 ms/);
    assert.match(await refusal(at('/missing'), 'subscribe'), /answered HTTP 404/);
    assert.match(await refusal(at('/text.png'), 'subscribe'), /not an image .* looks like text/);
    assert.match(await refusal(at('/truncated.jpg'), 'subscribe'), /damaged or incomplete JPEG/);
  });
});

describe('media checks at the door', () => {
  const dataUri = (type: string, b: Buffer): string => `data:${type};base64,${b.toString('base64')}`;

  test('a 30000×30000 PNG of a few kilobytes is refused without being decoded', async () => {
    const bomb = new Uint8Array(bombPng(30_000, 30_000));
    assert.ok(bomb.length < 8192, `${bomb.length} bytes`);
    const started = process.hrtime.bigint();
    const msg = await refusal(dataUri('image/png', Buffer.from(bomb)));
    assert.match(msg, /30000×30000 pixels \(900 MP\), over this server's limit of 50 MP/);
    // Decoding 900 MP (2.7 GB of RGB) would take many seconds; the header answers at once.
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 1000);
    const uploaded = await fal.storage.upload(new File([bomb], 'bomb.png', { type: 'image/png' }));
    assert.match(await refusal(uploaded), /over this server's limit/);
  });

  test('a truncated JPEG, a text file named .png and an MP4 as image_url are refused with clear messages', async () => {
    assert.match(await refusal(dataUri('image/jpeg', jpeg.subarray(0, jpeg.length >> 1))), /damaged or incomplete JPEG image/);
    const text = await fal.storage.upload(new File(['hello, I am text\n'], 'photo.png', { type: 'image/png' }));
    assert.match(await refusal(text), /is not an image this server can read: it looks like text; send JPEG, PNG/);
    const video = await fal.storage.upload(new File([mp4], 'clip.mp4', { type: 'video/mp4' }));
    assert.match(await refusal(video), /looks like a video \(video\/mp4\)/);
    assert.match(await refusal(dataUri('image/png', Buffer.from(mp4))), /looks like a video \(video\/mp4\)/);
  });

  test('formats the decoder lacks are named: BMP', async () => {
    const bmp = Buffer.alloc(70);
    bmp.write('BM', 0, 'latin1');
    assert.match(await refusal(dataUri('image/bmp', bmp)), /is a BMP image, which this server does not decode/);
  });
});
