// The store contract, as one suite that every implementation must pass. Each store test file
// calls `storeContract` with a factory for a fresh, empty store.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { cancelledOutcome, workerLostOutcome } from '../../src/requests/failures.ts';
import type { FileRecord, NewRequest } from '../../src/store/records.ts';
import type { Store } from '../../src/store/store.ts';

const T0 = 1_800_000_000_000;
const LEASE = 10_000;
const outcomes = { lost: workerLostOutcome, cancelled: cancelledOutcome() };

function newRequest(patch: Partial<NewRequest> = {}): NewRequest {
  return {
    id: randomUUID(), endpointId: 'fal-ai/luma-dream-machine/ray-2/image-to-video', app: 'fal-ai/luma-dream-machine',
    owner: 'u1', priority: 'normal', input: { prompt: 'p' }, webhookUrl: null, maxAttempts: 2, createdAt: T0, ...patch,
  };
}

function newFile(patch: Partial<FileRecord> = {}): FileRecord {
  const id = randomUUID();
  return {
    id, token: randomUUID(), owner: 'u1', requestId: null, blobKey: `files/${id}`, contentType: 'image/png', fileName: 'a.png',
    size: null, state: 'pending', uploadTokenHash: randomUUID(), uploadExpiresAt: T0 + 1000, createdAt: T0, ...patch,
  };
}

export function storeContract(name: string, open: () => Promise<Store>): void {
  const withStore = (fn: (s: Store) => Promise<void>) => async () => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`store contract: ${name}`, () => {
    test('insert and read back a request', withStore(async (s) => {
      const r = await s.requests.insert(newRequest({ input: { prompt: 'héllo', n: [1, 2] }, webhookUrl: 'https://x/hook' }));
      assert.equal(r.state, 'queued');
      assert.equal(r.attempts, 0);
      const back = await s.requests.get(r.id);
      assert.deepEqual(back, r);
      assert.deepEqual(back?.input, { prompt: 'héllo', n: [1, 2] });
      assert.equal(await s.requests.get('nope'), null);
    }));

    test('claims normal before low, oldest first, each request once', withStore(async (s) => {
      const low = await s.requests.insert(newRequest({ priority: 'low' }));
      const a = await s.requests.insert(newRequest());
      const b = await s.requests.insert(newRequest());
      assert.equal(await s.requests.queuePosition(a.id), 0);
      assert.equal(await s.requests.queuePosition(b.id), 1);
      assert.equal(await s.requests.queuePosition(low.id), 2);
      const order = [];
      for (let i = 0; i < 4; i++) order.push((await s.requests.claim(`w${i}`, LEASE, T0))?.request.id ?? null);
      assert.deepEqual(order, [a.id, b.id, low.id, null]);
      const claimed = await s.requests.get(a.id);
      assert.equal(claimed?.state, 'running');
      assert.equal(claimed?.attempts, 1);
      assert.equal(claimed?.leaseOwner, 'w0');
      assert.equal(claimed?.leaseExpiresAt, T0 + LEASE);
      assert.equal(await s.requests.queuePosition(a.id), null);
    }));

    test('concurrent claims never share a request', withStore(async (s) => {
      for (let i = 0; i < 10; i++) await s.requests.insert(newRequest());
      const claims = await Promise.all(Array.from({ length: 15 }, (_, i) => s.requests.claim(`w${i}`, LEASE, T0)));
      const ids = claims.flatMap((c) => (c ? [c.request.id] : []));
      assert.equal(ids.length, 10);
      assert.equal(new Set(ids).size, 10);
    }));

    test('finishing needs the current lease, and happens once', withStore(async (s) => {
      const r = await s.requests.insert(newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.equal(await s.requests.finish(r.id, 'not-the-token', { state: 'succeeded', result: {} }, T0 + 1), false);
      const out = newFile({ requestId: r.id, state: 'ready', uploadTokenHash: null, uploadExpiresAt: null, size: 3 });
      assert.equal(await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: { video: 1 } }, T0 + 2, [out]), true);
      assert.equal(await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: { video: 2 } }, T0 + 3, [newFile({ requestId: r.id })]), false);
      const done = await s.requests.get(r.id);
      assert.equal(done?.state, 'succeeded');
      assert.deepEqual(done?.result, { video: 1 });
      assert.equal(done?.finishedAt, T0 + 2);
      assert.equal(done?.leaseOwner, null);
      assert.deepEqual((await s.files.listForRequest(r.id)).map((f) => f.id), [out.id]);
    }));

    test('heartbeats extend the lease and report a cancel', withStore(async (s) => {
      const r = await s.requests.insert(newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.deepEqual(await s.requests.heartbeat(r.id, c.leaseToken, LEASE, T0 + 5000), { held: true, cancelRequested: false });
      assert.equal((await s.requests.get(r.id))?.leaseExpiresAt, T0 + 5000 + LEASE);
      assert.equal(await s.requests.cancel(r.id, T0, cancelledOutcome()), 'cancel_requested');
      assert.deepEqual(await s.requests.heartbeat(r.id, c.leaseToken, LEASE, T0 + 6000), { held: true, cancelRequested: true });
      assert.deepEqual(await s.requests.heartbeat(r.id, 'other', LEASE, T0 + 6000), { held: false, cancelRequested: false });
    }));

    test('lapsed leases requeue until attempts run out, then fail', withStore(async (s) => {
      const r = await s.requests.insert(newRequest({ maxAttempts: 2 }));
      const first = await s.requests.claim('w1', LEASE, T0);
      assert.ok(first);
      assert.deepEqual(await s.requests.reapExpiredLeases(T0 + LEASE - 1, outcomes), { requeued: [], finished: [] });
      assert.deepEqual(await s.requests.reapExpiredLeases(T0 + LEASE + 1, outcomes), { requeued: [r.id], finished: [] });
      assert.equal((await s.requests.get(r.id))?.state, 'queued');
      // The vanished worker comes back: its lease is gone, so it can neither beat nor finish.
      assert.equal((await s.requests.heartbeat(r.id, first.leaseToken, LEASE, T0 + LEASE + 2)).held, false);
      const second = await s.requests.claim('w2', LEASE, T0 + LEASE + 2);
      assert.equal(second?.request.attempts, 2);
      assert.equal(await s.requests.finish(r.id, first.leaseToken, { state: 'succeeded', result: {} }, T0 + LEASE + 3), false);
      assert.deepEqual(await s.requests.reapExpiredLeases(T0 + 3 * LEASE, outcomes), { requeued: [], finished: [r.id] });
      const failed = await s.requests.get(r.id);
      assert.equal(failed?.state, 'failed');
      assert.equal(failed?.failure?.errorType, 'runner_disconnected');
    }));

    test('release gives a request back without spending an attempt', withStore(async (s) => {
      const r = await s.requests.insert(newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.equal(await s.requests.release(r.id, c.leaseToken), true);
      const back = await s.requests.get(r.id);
      assert.equal(back?.state, 'queued');
      assert.equal(back?.attempts, 0);
    }));

    test('cancel: queued ends at once, running is asked, finished is already completed', withStore(async (s) => {
      const queued = await s.requests.insert(newRequest());
      const running = await s.requests.insert(newRequest());
      assert.equal(await s.requests.cancel(queued.id, T0 + 1, cancelledOutcome()), 'cancelled');
      const c = await s.requests.claim('w', LEASE, T0);
      assert.equal(c?.request.id, running.id, 'a cancelled request is never claimed');
      assert.equal(await s.requests.cancel(running.id, T0, cancelledOutcome()), 'cancel_requested');
      assert.equal(await s.requests.cancel(running.id, T0, cancelledOutcome()), 'cancel_requested');
      assert.equal(await s.requests.cancel(queued.id, T0, cancelledOutcome()), 'already_completed');
      assert.equal(await s.requests.cancel('nope', T0, cancelledOutcome()), 'not_found');
      const q = await s.requests.get(queued.id);
      assert.equal(q?.state, 'cancelled');
      assert.equal(q?.failure?.errorType, 'client_cancelled');
      // A cancel-requested request whose worker vanished ends cancelled, not requeued.
      assert.deepEqual(await s.requests.reapExpiredLeases(T0 + LEASE + 1, outcomes), { requeued: [], finished: [running.id] });
      assert.equal((await s.requests.get(running.id))?.state, 'cancelled');
    }));

    test('logs keep their order', withStore(async (s) => {
      const r = await s.requests.insert(newRequest());
      for (let i = 0; i < 5; i++) {
        await s.logs.append(r.id, { message: `line ${i}`, level: i === 4 ? 'ERROR' : 'INFO', source: 'USER', timestamp: new Date(T0 + i).toISOString() });
      }
      const logs = await s.logs.list(r.id);
      assert.deepEqual(logs.map((l) => l.message), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
      assert.equal(logs[4]?.level, 'ERROR');
      assert.deepEqual(await s.logs.list('other'), []);
    }));

    test('upload URLs work once and expire', withStore(async (s) => {
      const f = newFile();
      await s.files.insert(f);
      assert.equal(await s.files.getByToken(f.token).then((x) => x?.state), 'pending');
      assert.equal(await s.files.takeUpload(f.uploadTokenHash!, T0 + 1000), null, 'expired at its deadline');
      const taken = await s.files.takeUpload(f.uploadTokenHash!, T0 + 999);
      assert.equal(taken?.id, f.id);
      assert.equal(await s.files.takeUpload(f.uploadTokenHash!, T0 + 1), null, 'single use');
      await s.files.markReady(f.id, 1234);
      const ready = await s.files.getByToken(f.token);
      assert.equal(ready?.state, 'ready');
      assert.equal(ready?.size, 1234);
    }));

    test('keys: insert, find, list, revoke', withStore(async (s) => {
      await s.keys.insert({ id: 'k1', userId: 'u', secretHash: 'ab', label: 'ci', createdAt: T0, revokedAt: null });
      await s.keys.insert({ id: 'k2', userId: 'u', secretHash: 'cd', label: null, createdAt: T0 + 1, revokedAt: null });
      assert.equal((await s.keys.get('k1'))?.label, 'ci');
      assert.deepEqual((await s.keys.list()).map((k) => k.id), ['k1', 'k2']);
      assert.equal(await s.keys.revoke('k1', T0 + 5), true);
      assert.equal(await s.keys.revoke('k1', T0 + 6), false);
      assert.equal((await s.keys.get('k1'))?.revokedAt, T0 + 5);
      assert.equal(await s.keys.get('zz'), null);
    }));
  });
}
