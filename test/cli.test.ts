// The command line as scripts use it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, reelhouse, spawnServer, stopProcess } from './support/process.ts';
import { tempDir } from './support/server.ts';

test('keys create prints one key alone on stdout; list and revoke', async () => {
  const dataDir = tempDir();
  const created = await reelhouse(['keys', 'create', '--data-dir', dataDir, '--label', 'ci']);
  assert.match(created.stdout, /^[0-9a-f-]{36}:[0-9a-f]{64}\n$/);
  const [id, secret] = created.stdout.trim().split(':');
  const listed = await reelhouse(['keys', 'list', '--data-dir', dataDir]);
  assert.match(listed.stdout, new RegExp(`^${id}\\t${id}\\tci\\t\\S+\\t-$`, 'm'));
  assert.ok(!listed.stdout.includes(secret!), 'secrets are never shown again');
  await reelhouse(['keys', 'revoke', id!, '--data-dir', dataDir]);
  const after = await reelhouse(['keys', 'list', '--data-dir', dataDir]);
  assert.match(after.stdout, new RegExp(`^${id}\\t.*\\t\\d{4}-\\d\\d-\\d\\dT\\S+Z$`, 'm'));
  await assert.rejects(reelhouse(['keys', 'revoke', id!, '--data-dir', dataDir]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /no active key/);
    return true;
  });
  const shared = await reelhouse(['keys', 'create', '--data-dir', dataDir, '--user', 'team-a']);
  assert.match((await reelhouse(['keys', 'list', '--data-dir', dataDir])).stdout, new RegExp(`^${shared.stdout.split(':')[0]}\\tteam-a\\t`, 'm'));
});

test('usage errors exit 2 and say what is wrong', async () => {
  for (const args of [['frobnicate'], ['keys'], ['keys', 'create', '--bogus']]) {
    await assert.rejects(reelhouse([...args, '--data-dir', tempDir()]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 2, args.join(' '));
      assert.match(err.stderr, /usage:/);
      return true;
    });
  }
});

test('serve without ffmpeg fails at once and names the fix', async () => {
  const port = await freePort();
  await assert.rejects(
    reelhouse(['serve', '--port', String(port), '--data-dir', tempDir()], { FFMPEG_PATH: '/nonexistent/ffmpeg' }),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /needs ffmpeg/);
      assert.match(err.stderr, /apt-get install ffmpeg/);
      return true;
    },
  );
});

test('logs never hold a key secret or an unused upload token, even at debug', async () => {
  const dataDir = tempDir();
  const key = (await reelhouse(['keys', 'create', '--data-dir', dataDir])).stdout.trim();
  const server = await spawnServer(dataDir, await freePort(), { REELHOUSE_LOG_LEVEL: 'debug', REELHOUSE_WORKERS: '0' });
  try {
    const headers = { authorization: `Key ${key}`, 'content-type': 'application/json' };
    const init = await fetch(`${server.url}/rest/storage/upload/initiate`, { method: 'POST', headers, body: '{"file_name":"a.txt"}' });
    const { upload_url } = (await init.json()) as { upload_url: string };
    assert.equal((await fetch(upload_url, { method: 'PUT', body: 'hello' })).status, 200);
    await fetch(`${server.url}/queue/fal-ai/luma-dream-machine/ray-2/image-to-video`, { method: 'POST', headers, body: '{}' });
    await fetch(`${server.url}/rest/storage/upload/initiate`, { method: 'POST', headers: { ...headers, authorization: `Key ${key}x` }, body: '{}' });
  } finally {
    await stopProcess(server.child);
  }
  const log = server.output();
  assert.match(log, /"status":422/, 'the log has the traffic');
  assert.ok(!log.includes(key.split(':')[1]!), 'no secret');
  assert.match(log, /files\/upload\/…/);
});

test('requests list, show and cancel read the data directory', async () => {
  const { startTestServer } = await import('./support/server.ts');
  const server = await startTestServer({ workers: 0 });
  try {
    const post = (input: object) =>
      fetch(`${server.url}/queue/reelhouse/noop`, { method: 'POST', headers: { authorization: `Key ${server.key}`, 'content-type': 'application/json' }, body: JSON.stringify(input) })
        .then((r) => r.json() as Promise<{ request_id: string }>);
    const a = await post({ sleep_ms: 1 });
    const b = await post({});
    const dir = ['--data-dir', server.dataDir];
    const list = (await reelhouse(['requests', 'list', ...dir])).stdout.trim().split('\n');
    assert.match(list[0]!, /^request_id\tendpoint\tstate/);
    assert.deepEqual(list.slice(1).map((l) => l.split('\t')[0]), [b.request_id, a.request_id], 'newest first');
    assert.match(list[1]!, /\treelhouse\/noop\tqueued\tIN_QUEUE\t0\t/);
    const shown = JSON.parse((await reelhouse(['requests', 'show', a.request_id, ...dir])).stdout) as { input: unknown; logs: unknown[] };
    assert.deepEqual(shown.input, { sleep_ms: 1, steps: 1, fail: false });
    const cancelled = await reelhouse(['requests', 'cancel', a.request_id, ...dir]);
    assert.match(cancelled.stderr, /cancelled \(it had not started\)/);
    const queued = (await reelhouse(['requests', 'list', '--state', 'queued', ...dir])).stdout.trim().split('\n');
    assert.deepEqual(queued.slice(1).map((l) => l.split('\t')[0]), [b.request_id]);
    await assert.rejects(reelhouse(['requests', 'list', '--state', 'nope', ...dir]), (err: { code: number }) => err.code === 2);
  } finally {
    await server.close();
  }
});

test('serve on a port already in use fails cleanly and exits', async () => {
  const net = await import('node:net');
  const taken = net.createServer();
  const port = await new Promise<number>((r) => taken.listen(0, '127.0.0.1', () => r((taken.address() as { port: number }).port)));
  try {
    await assert.rejects(reelhouse(['serve', '--port', String(port), '--data-dir', tempDir()]), (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /EADDRINUSE/);
      return true;
    });
  } finally {
    taken.close();
  }
});
