// Bytes in and out with the blobs in S3 (Swift's S3 API on loopback): what the presigned paths
// (straight to the bucket) cost against the paths through the server, and the server's RSS growth
// while it carries the bytes.
// Run: npx node bench/s3.ts [size in MiB, default 256]
//
// Two `reelhouse serve` processes share one bucket: one with the defaults (presigned uploads and
// reads), one with S3_UPLOADS=server and S3_READS=server. Swift is Python on the same two cores,
// so the figures say how the paths compare here, not what S3 itself would sustain.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { createFalClient } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { freePort, reelhouse, spawnServer, stopProcess, type ServerProcess } from '../test/support/process.ts';
import { tempDir } from '../test/support/server.ts';
import { startSwift } from '../test/support/swift.ts';
import { rssOf, rssPeak, streamOf } from '../test/support/upload-load.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 256);
const size = sizeMiB * MiB;
const dir = tempDir('reelhouse-bench-s3-');
const source = path.join(dir, 'source.bin');

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** A PUT of a file with node:http, piped in 1 MiB reads. */
async function putFile(url: string, file: string): Promise<void> {
  const { size: length } = await fsp.stat(file);
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: MiB }).pipe(req);
  });
  if (status !== 200) throw new Error(`PUT: HTTP ${status}`);
}

/** A GET into a file with node:http, following one redirect. */
async function getFile(url: string, file: string): Promise<void> {
  let res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).on('error', reject));
  if (res.statusCode === 307) {
    res.resume();
    const location = res.headers.location!;
    res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(location, resolve).on('error', reject));
  }
  await pipeline(res, fs.createWriteStream(file, { highWaterMark: MiB }));
  if ((await fsp.stat(file)).size !== size) throw new Error('download: wrong size');
}

const rows: { what: string; s: number; note: string }[] = [];
const swift = await startSwift();
const servers: ServerProcess[] = [];
try {
  await pipeline(Readable.fromWeb(streamOf(size) as NodeReadableStream), fs.createWriteStream(source));
  const bucket = await swift.createBucket();
  const env = { ...swift.env(bucket), REELHOUSE_WORKERS: '0', REELHOUSE_UPLOAD_LIMIT_MB: String(sizeMiB * 2) };
  const dataDir = path.join(dir, 'data');
  const key = (await reelhouse(['keys', 'create', '--data-dir', dataDir])).stdout.trim();
  const direct = await spawnServer(dataDir, await freePort(), env);
  servers.push(direct);
  const proxied = await spawnServer(path.join(dir, 'data2'), await freePort(), { ...env, S3_UPLOADS: 'server', S3_READS: 'server' });
  servers.push(proxied);
  const proxiedKey = (await reelhouse(['keys', 'create', '--data-dir', path.join(dir, 'data2')], env)).stdout.trim();

  const initiate = async (srv: ServerProcess, k: string) => {
    const res = await fetch(`${srv.url}/rest/storage/upload/initiate`, {
      method: 'POST', headers: { authorization: `Key ${k}`, 'content-type': 'application/json' }, body: '{"content_type":"video/mp4"}',
    });
    return (await res.json()) as { upload_url: string; file_url: string };
  };
  const measure = async (what: string, srv: ServerProcess, fn: () => Promise<void>) => {
    const pid = srv.child.pid!;
    await new Promise((r) => setTimeout(r, 200));
    const baseline = rssOf(pid);
    const peak = rssPeak(pid);
    const s = await timed(fn);
    rows.push({ what, s, note: `server RSS +${((peak.stop() - baseline) / MiB).toFixed(0)} MiB` });
  };
  // Warm-up of both servers and the bucket.
  for (const [srv, k] of [[direct, key], [proxied, proxiedKey]] as const) {
    await fetch((await initiate(srv, k)).upload_url, { method: 'PUT', body: Buffer.alloc(8 * MiB) });
  }

  const up = await initiate(direct, key);
  await measure('upload, presigned PUT straight to the bucket', direct, () => putFile(up.upload_url, source));
  const viaServer = await initiate(proxied, proxiedKey);
  await measure('upload, one PUT through the server (S3_UPLOADS=server)', proxied, () => putFile(viaServer.upload_url, source));
  const fal = createFalClient(reelhouseConfig({ url: direct.url, credentials: key }));
  await measure(`upload, fal.storage.upload (${Math.ceil(size / (10 * MiB))} parts through the server)`, direct, async () => {
    await fal.storage.upload(await fs.openAsBlob(source, { type: 'video/mp4' }));
  });
  await measure('download, redirect to a presigned GET', direct, () => getFile(up.file_url, path.join(dir, 'd1')));
  await measure('download, streamed by the server (S3_READS=server)', proxied, () => getFile(viaServer.file_url, path.join(dir, 'd2')));

  console.log(`\n${sizeMiB} MiB, Swift's S3 API on loopback\n`);
  console.log('| | time | MiB/s | |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.s.toFixed(2)} s | ${(sizeMiB / r.s).toFixed(0)} | ${r.note} |`);
} finally {
  for (const srv of servers) await stopProcess(srv.child);
  await swift.stop();
  await fsp.rm(dir, { recursive: true, force: true });
}
