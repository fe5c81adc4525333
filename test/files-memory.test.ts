// Uploads stream to storage in constant memory: the server, in its own process, takes a
// 256 MiB PUT and a 100 MiB multipart upload (fal's 10 MiB parts) while its resident memory
// grows by less than 100 MB. bench/files.ts measures the same with 1 GiB.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort, reelhouse, spawnServer, stopProcess, type ServerProcess } from './support/process.ts';
import { tempDir } from './support/server.ts';
import { putStream, rssOf, rssPeak } from './support/upload-load.ts';

const MiB = 1024 * 1024;
const LIMIT = 100 * 1000 * 1000;
let srv: ServerProcess;
let key: string;

before(async () => {
  const dataDir = tempDir();
  key = (await reelhouse(['keys', 'create', '--data-dir', dataDir])).stdout.trim();
  srv = await spawnServer(dataDir, await freePort(), { REELHOUSE_WORKERS: '0' });
});
after(() => stopProcess(srv.child));

async function initiate(kind: 'initiate' | 'initiate-multipart'): Promise<{ upload_url: string; file_url: string }> {
  const res = await fetch(`${srv.url}/rest/storage/upload/${kind}`, {
    method: 'POST', headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content_type: 'application/octet-stream', file_name: 'big.bin' }),
  });
  return (await res.json()) as { upload_url: string; file_url: string };
}

test('a 256 MiB PUT and a 100 MiB multipart upload keep the server RSS growth under 100 MB', async () => {
  const pid = srv.child.pid!;
  // Warm up (JIT, pools) with a small upload before taking the baseline.
  const warm = await initiate('initiate');
  await putStream(warm.upload_url, 8 * MiB);
  const baseline = rssOf(pid);
  const peak = rssPeak(pid);

  const single = await initiate('initiate');
  assert.equal((await putStream(single.upload_url, 256 * MiB)).status, 200);
  const multi = await initiate('initiate-multipart');
  const u = new URL(multi.upload_url);
  const parts = [];
  for (let n = 1; n <= 10; n++) {
    const res = await putStream(`${u.origin}${u.pathname}/${n}`, 10 * MiB);
    parts.push((await res.json()) as { partNumber: number; etag: string });
  }
  const done = await fetch(`${u.origin}${u.pathname}/complete`, { method: 'POST', body: JSON.stringify({ parts }) });
  assert.equal(done.status, 200);
  const growth = peak.stop() - baseline;
  console.log(`server RSS: baseline ${(baseline / MiB).toFixed(0)} MiB, growth ${(growth / MiB).toFixed(1)} MiB`);
  assert.ok(growth < LIMIT, `RSS grew by ${growth} bytes`);
  const head = await fetch(single.file_url, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), String(256 * MiB));
});
