// Upload and download throughput over loopback against a plain copy of the same file on the same
// disk, and the server's RSS growth while it takes the upload.
// Run: npx node bench/files.ts [size in MiB, default 1024]
//
// The server runs as `reelhouse serve` in its own process (so its memory is its own), with its
// data directory on the same disk as the source file and the copies.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { createFalClient } from '@fal-ai/client';
import { reelhouseConfig } from '../src/client.ts';
import { freePort, reelhouse, spawnServer, stopProcess } from '../test/support/process.ts';
import { tempDir } from '../test/support/server.ts';
import { rssOf, rssPeak, streamOf } from '../test/support/upload-load.ts';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.argv[2] ?? 1024);
const size = sizeMiB * MiB;
const dir = tempDir('reelhouse-bench-files-');
const dataDir = path.join(dir, 'data');
const source = path.join(dir, 'source.bin');

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** Lets the server's post-request work finish before a measurement starts. */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 200));
}

const rows: { what: string; s: number; note?: string }[] = [];

/** A PUT of a file with node:http, the file piped in 1 MiB reads: the client costs little. */
async function putFile(url: string, file: string): Promise<number> {
  const { size: length } = await fsp.stat(file);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: MiB }).pipe(req);
  });
}

/** A GET into a file with node:http. */
async function getFile(url: string, file: string): Promise<void> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, resolve).on('error', reject));
  await pipeline(res, fs.createWriteStream(file, { highWaterMark: MiB }));
}

try {
  await pipeline(Readable.fromWeb(streamOf(size) as NodeReadableStream), fs.createWriteStream(source));

  const copyTo = path.join(dir, 'copy.bin');
  rows.push({ what: 'plain copy, streamed (read + write through user space)', s: (await timed(() => pipeline(fs.createReadStream(source, { highWaterMark: MiB }), fs.createWriteStream(copyTo, { highWaterMark: MiB })))).s });
  await fsp.rm(copyTo);
  rows.push({ what: 'plain copy, fs.copyFile (kernel copy)', s: (await timed(() => fsp.copyFile(source, copyTo))).s });
  await fsp.rm(copyTo);

  const key = (await reelhouse(['keys', 'create', '--data-dir', dataDir])).stdout.trim();
  const srv = await spawnServer(dataDir, await freePort(), { REELHOUSE_WORKERS: '0', REELHOUSE_UPLOAD_LIMIT_MB: String(sizeMiB * 2) });
  try {
    const pid = srv.child.pid!;
    const initiate = async (kind: string) => {
      const res = await fetch(`${srv.url}/rest/storage/upload/${kind}`, {
        method: 'POST', headers: { authorization: `Key ${key}`, 'content-type': 'application/json' }, body: '{}',
      });
      return (await res.json()) as { upload_url: string; file_url: string };
    };
    // Warm-up, then the baseline the growth is measured from.
    await fetch((await initiate('initiate')).upload_url, { method: 'PUT', body: Buffer.alloc(8 * MiB) });
    await settle();
    const baseline = rssOf(pid);

    const up = await initiate('initiate');
    let peak = rssPeak(pid);
    const put = await timed(async () => {
      const status = await putFile(up.upload_url, source);
      if (status !== 200) throw new Error(`upload: HTTP ${status}`);
    });
    const putGrowth = peak.stop() - baseline;
    rows.push({ what: 'upload, one PUT (node:http client)', s: put.s, note: `server RSS +${(putGrowth / MiB).toFixed(0)} MiB` });

    const fal = createFalClient(reelhouseConfig({ url: srv.url, credentials: key }));
    peak = rssPeak(pid);
    const multi = await timed(async () => fal.storage.upload(await fs.openAsBlob(source, { type: 'application/octet-stream' })));
    const multiGrowth = peak.stop() - baseline;
    rows.push({ what: `upload, fal.storage.upload (multipart, ${Math.ceil(size / (10 * MiB))} parts + join)`, s: multi.s, note: `server RSS +${(multiGrowth / MiB).toFixed(0)} MiB` });

    const downTo = path.join(dir, 'download.bin');
    peak = rssPeak(pid);
    const down = await timed(() => getFile(up.file_url, downTo));
    const downGrowth = peak.stop() - baseline;
    if ((await fsp.stat(downTo)).size !== size) throw new Error('download: wrong size');
    rows.push({ what: 'download, one GET (node:http client)', s: down.s, note: `server RSS +${(downGrowth / MiB).toFixed(0)} MiB` });
  } finally {
    await stopProcess(srv.child);
  }

  const copy = rows[0]!.s;
  console.log(`\n${sizeMiB} MiB, loopback, one disk\n`);
  console.log('| | time | MiB/s | vs streamed copy | |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.what} | ${r.s.toFixed(2)} s | ${(sizeMiB / r.s).toFixed(0)} | ${(copy / r.s).toFixed(2)}× | ${r.note ?? ''} |`);
  }
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}
