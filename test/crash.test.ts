// Nothing is lost: 20 requests, the server killed with SIGKILL while they run, restarted on the
// same data directory. Every request completes with a valid MP4, and none completes twice.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { ffprobe } from './support/media.ts';
import { freePort, reelhouse, spawnServer, stopProcess } from './support/process.ts';
import { tempDir } from './support/server.ts';
import { fetchToFile } from './support/video.ts';

const SUBMIT = '/queue/fal-ai/luma-dream-machine/ray-2/image-to-video';
const BASE = '/queue/fal-ai/luma-dream-machine/requests';

test('SIGKILL mid-run loses nothing and completes nothing twice', { timeout: 300_000 }, async () => {
  const dataDir = tempDir();
  const env = { REELHOUSE_LEASE_MS: '2000', REELHOUSE_WORKERS: '1' };
  const { stdout } = await reelhouse(['keys', 'create', '--data-dir', dataDir]);
  const key = stdout.trim();
  const headers = { authorization: `Key ${key}`, 'content-type': 'application/json' };
  const port = await freePort();
  let server = await spawnServer(dataDir, port, env);

  const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3366aa' } })
    .composite([{ input: Buffer.from('<svg width="320" height="240"><circle cx="160" cy="120" r="80" fill="#fc0"/></svg>') }])
    .png().toBuffer();
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${server.url}${SUBMIT}`, {
      method: 'POST', headers,
      body: JSON.stringify({ prompt: `request ${i}`, image_url: `data:image/png;base64,${png.toString('base64')}`, loop: i % 2 === 0 }),
    });
    assert.equal(res.status, 200);
    ids.push(((await res.json()) as { request_id: string }).request_id);
  }
  const statuses = async (url: string) =>
    Promise.all(ids.map(async (id) => ((await (await fetch(`${url}${BASE}/${id}/status`, { headers })).json()) as { status: string }).status));

  // Kill once some are done and one is rendering.
  let before: string[] = [];
  for (let i = 0; i < 600; i++) {
    before = await statuses(server.url);
    if (before.filter((s) => s === 'COMPLETED').length >= 3 && before.includes('IN_PROGRESS')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(before.includes('IN_PROGRESS'), `statuses before the kill: ${before.join(',')}`);
  await stopProcess(server.child, 'SIGKILL');
  const killedWhileRunning = ids.filter((_, i) => before[i] === 'IN_PROGRESS');

  server = await spawnServer(dataDir, port, env);
  try {
    let after: string[] = [];
    for (let i = 0; i < 1200; i++) {
      after = await statuses(server.url);
      if (after.every((s) => s === 'COMPLETED')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(after, ids.map(() => 'COMPLETED'));

    const dir = tempDir();
    for (const id of ids) {
      const res = await fetch(`${server.url}${BASE}/${id}`, { headers });
      assert.equal(res.status, 200, `result of ${id}`);
      const { video } = (await res.json()) as { video: { url: string } };
      const p = await ffprobe(await fetchToFile(video.url, dir));
      assert.deepEqual([p.codec, p.width, p.height, p.frames], ['h264', 960, 540, 120]);
      const logs = ((await (await fetch(`${server.url}${BASE}/${id}/status?logs=1`, { headers })).json()) as { logs: { message: string }[] }).logs;
      assert.equal(logs.filter((l) => l.message === 'Completed').length, 1, `completions of ${id}`);
    }
  } finally {
    await stopProcess(server.child);
  }

  const db = new Database(path.join(dataDir, 'reelhouse.db'), { readonly: true });
  const rows = db.prepare(
    `SELECT r.id, r.state, r.attempts, (SELECT COUNT(*) FROM files f WHERE f.request_id = r.id) AS outputs FROM requests r`,
  ).all() as { id: string; state: string; attempts: number; outputs: number }[];
  db.close();
  assert.equal(rows.length, 20);
  for (const r of rows) {
    assert.equal(r.state, 'succeeded', r.id);
    assert.equal(r.outputs, 1, `one output for ${r.id}`);
  }
  for (const id of killedWhileRunning) {
    assert.equal(rows.find((r) => r.id === id)?.attempts, 2, `${id} was taken up again`);
  }
  // The killed process's scratch folder was swept; the clean shutdown removed the second's.
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'tmp')), []);
  fs.rmSync(dataDir, { recursive: true, force: true });
});
