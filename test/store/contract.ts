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
    owner: 'u1', priority: 'normal', input: { prompt: 'p' }, webhookUrl: null, maxAttempts: 2, createdAt: T0,
    deadlineAt: null, idempotencyKey: null, outputLifetimeMs: null, ...patch,
  };
}

async function add(s: Store, r: NewRequest) {
  return (await s.requests.insert(r)).request;
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
      const r = await add(s, newRequest({ input: { prompt: 'héllo', n: [1, 2] }, webhookUrl: 'https://x/hook' }));
      assert.equal(r.state, 'queued');
      assert.equal(r.attempts, 0);
      const back = await s.requests.get(r.id);
      assert.deepEqual(back, r);
      assert.deepEqual(back?.input, { prompt: 'héllo', n: [1, 2] });
      assert.equal(await s.requests.get('nope'), null);
    }));

    test('claims normal before low, oldest first, each request once', withStore(async (s) => {
      const low = await add(s, newRequest({ priority: 'low' }));
      const a = await add(s, newRequest());
      const b = await add(s, newRequest());
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
      for (let i = 0; i < 10; i++) await add(s, newRequest());
      const claims = await Promise.all(Array.from({ length: 15 }, (_, i) => s.requests.claim(`w${i}`, LEASE, T0)));
      const ids = claims.flatMap((c) => (c ? [c.request.id] : []));
      assert.equal(ids.length, 10);
      assert.equal(new Set(ids).size, 10);
    }));

    test('finishing needs the current lease, and happens once', withStore(async (s) => {
      const r = await add(s, newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.equal(await s.requests.finish(r.id, 'not-the-token', { state: 'succeeded', result: {} }, T0 + 1), false);
      const out = newFile({ requestId: r.id, state: 'ready', uploadTokenHash: null, uploadExpiresAt: null, size: 3 });
      assert.equal(await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: { video: 1 } }, T0 + 2, { files: [out] }), true);
      assert.equal(await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: { video: 2 } }, T0 + 3, { files: [newFile({ requestId: r.id })] }), false);
      const done = await s.requests.get(r.id);
      assert.equal(done?.state, 'succeeded');
      assert.deepEqual(done?.result, { video: 1 });
      assert.equal(done?.finishedAt, T0 + 2);
      assert.equal(done?.leaseOwner, null);
      assert.deepEqual((await s.files.listForRequest(r.id)).map((f) => f.id), [out.id]);
      // Log lines given with a completion are written only if it is.
      const last = { message: 'Completed', level: 'INFO' as const, source: 'USER' as const, timestamp: new Date(T0).toISOString() };
      const other = await add(s, newRequest());
      const c2 = await s.requests.claim('w', LEASE, T0);
      assert.equal(c2?.request.id, other.id);
      assert.equal(await s.requests.finish(other.id, 'stale', { state: 'succeeded', result: {} }, T0, { logs: [last] }), false);
      assert.deepEqual(await s.logs.list(other.id), []);
      assert.equal(await s.requests.finish(other.id, c2.leaseToken, { state: 'succeeded', result: {} }, T0, { logs: [last] }), true);
      assert.deepEqual((await s.logs.list(other.id)).map((l) => l.message), ['Completed']);
    }));

    test('heartbeats extend the lease and report a cancel', withStore(async (s) => {
      const r = await add(s, newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.deepEqual(await s.requests.heartbeat(r.id, c.leaseToken, LEASE, T0 + 5000), { held: true, cancelRequested: false });
      assert.equal((await s.requests.get(r.id))?.leaseExpiresAt, T0 + 5000 + LEASE);
      assert.equal(await s.requests.cancel(r.id, T0, cancelledOutcome()), 'cancel_requested');
      assert.deepEqual(await s.requests.heartbeat(r.id, c.leaseToken, LEASE, T0 + 6000), { held: true, cancelRequested: true });
      assert.deepEqual(await s.requests.heartbeat(r.id, 'other', LEASE, T0 + 6000), { held: false, cancelRequested: false });
    }));

    test('lapsed leases requeue until attempts run out, then fail', withStore(async (s) => {
      const r = await add(s, newRequest({ maxAttempts: 2 }));
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
      const r = await add(s, newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.equal(await s.requests.release(r.id, c.leaseToken), true);
      const back = await s.requests.get(r.id);
      assert.equal(back?.state, 'queued');
      assert.equal(back?.attempts, 0);
    }));

    test('cancel: queued ends at once, running is asked, finished is already completed', withStore(async (s) => {
      const queued = await add(s, newRequest());
      const running = await add(s, newRequest());
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
      const r = await add(s, newRequest());
      const line = (i: number) => ({ message: `line ${i}`, level: i === 4 ? 'ERROR' as const : 'INFO' as const, source: 'USER' as const, timestamp: new Date(T0 + i).toISOString() });
      await s.logs.append(r.id, [line(0)]);
      await s.logs.append(r.id, [1, 2, 3].map(line));
      await s.logs.append(r.id, []);
      await s.logs.append(r.id, [line(4)]);
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

    test('idempotent insert returns the first request within the window', withStore(async (s) => {
      const first = await s.requests.insert(newRequest({ idempotencyKey: 'k' }), T0 - 1000);
      assert.equal(first.created, true);
      const again = await s.requests.insert(newRequest({ idempotencyKey: 'k', createdAt: T0 + 10 }), T0 - 1000);
      assert.deepEqual([again.created, again.request.id], [false, first.request.id]);
      const otherOwner = await s.requests.insert(newRequest({ idempotencyKey: 'k', owner: 'u2' }), T0 - 1000);
      assert.equal(otherOwner.created, true);
      const later = await s.requests.insert(newRequest({ idempotencyKey: 'k', createdAt: T0 + 100 }), T0 + 1);
      assert.equal(later.created, true, 'past the window the key makes a new request');
      assert.notEqual(later.request.id, first.request.id);
    }));

    test('overdue requests expire instead of starting, and queue a webhook', withStore(async (s) => {
      const late = await add(s, newRequest({ deadlineAt: T0 + 100, webhookUrl: 'https://x/hook' }));
      const fine = await add(s, newRequest({ deadlineAt: T0 + 10_000 }));
      const claim = await s.requests.claim('w', LEASE, T0 + 100);
      assert.equal(claim?.request.id, fine.id, 'an overdue request is never claimed');
      const expired = { state: 'expired' as const, failure: { status: 504, detail: 'late', errorType: 'request_timeout' } };
      assert.deepEqual(await s.requests.expireOverdue(T0 + 100, expired as never), [late.id]);
      const r = await s.requests.get(late.id);
      assert.equal(r?.state, 'expired');
      assert.equal(r?.failure?.status, 504);
      assert.equal(r?.webhookState, 'pending');
      assert.deepEqual(await s.requests.expireOverdue(T0 + 200, expired as never), []);
    }));

    test('progress and preview are kept while the lease is held', withStore(async (s) => {
      const r = await add(s, newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      assert.equal(await s.requests.setProgress(r.id, c.leaseToken, { fraction: 0.5, stage: 'render', etaSeconds: 3 }, 'tok'), true);
      assert.equal(await s.requests.setProgress(r.id, 'other', { fraction: 0.6, stage: 'render', etaSeconds: 2 }, null), false);
      const back = await s.requests.get(r.id);
      assert.deepEqual(back?.progress, { fraction: 0.5, stage: 'render', etaSeconds: 3 });
      assert.equal(back?.previewToken, 'tok');
      assert.equal((await s.requests.getByPreviewToken('tok'))?.id, r.id);
      await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: {} }, T0 + 1);
      assert.equal((await s.requests.get(r.id))?.progress, null);
    }));

    test('webhook outbox: due deliveries are claimed once, attempts recorded', withStore(async (s) => {
      const r = await add(s, newRequest({ webhookUrl: 'https://x/hook' }));
      const quiet = await add(s, newRequest());
      for (const req of [r, quiet]) {
        const c = await s.requests.claim('w', LEASE, T0);
        assert.ok(c);
        await s.requests.finish(c.request.id, c.leaseToken, { state: 'succeeded', result: { ok: req.id } }, T0 + 5);
      }
      assert.equal((await s.requests.get(quiet.id))?.webhookState, null);
      assert.equal((await s.requests.get(r.id))?.webhookState, 'pending');
      const due = await s.webhooks.claimDue(T0 + 5, 1000, 10);
      assert.deepEqual(due.map((d) => d.id), [r.id]);
      assert.deepEqual(await s.webhooks.claimDue(T0 + 6, 1000, 10), [], 'leased');
      await s.webhooks.recordAttempt(r.id, { attempt: 1, at: T0 + 6, statusCode: 500, error: 'HTTP 500', durationMs: 3 }, { state: 'pending', nextAt: T0 + 100 });
      assert.deepEqual(await s.webhooks.claimDue(T0 + 99, 1000, 10), []);
      assert.equal((await s.webhooks.claimDue(T0 + 100, 1000, 10))[0]?.webhookAttempts, 1);
      await s.webhooks.recordAttempt(r.id, { attempt: 2, at: T0 + 101, statusCode: 200, error: null, durationMs: 2 }, { state: 'delivered', nextAt: null });
      assert.equal((await s.requests.get(r.id))?.webhookState, 'delivered');
      assert.deepEqual((await s.webhooks.listAttempts(r.id)).map((a) => a.statusCode), [500, 200]);
    }));

    test('webhook outbox: a dispatcher whose claim lapsed cannot record over the one that took it', withStore(async (s) => {
      const r = await add(s, newRequest({ webhookUrl: 'https://x/hook' }));
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      await s.requests.finish(r.id, c.leaseToken, { state: 'succeeded', result: {} }, T0 + 5);
      assert.equal((await s.webhooks.claimDue(T0 + 5, 100, 10)).length, 1, 'the first dispatcher');
      assert.equal((await s.webhooks.claimDue(T0 + 200, 100, 10)).length, 1, 'the lease lapsed: a second one');
      const delivered = { attempt: 1, at: T0 + 201, statusCode: 200, error: null, durationMs: 1 };
      assert.equal(await s.webhooks.recordAttempt(r.id, delivered, { state: 'delivered', nextAt: null }), true);
      // The first one's late failure must not turn a delivered webhook back into a pending one.
      const late = { attempt: 1, at: T0 + 300, statusCode: null, error: 'timeout', durationMs: 300 };
      assert.equal(await s.webhooks.recordAttempt(r.id, late, { state: 'pending', nextAt: T0 + 400 }), false);
      const after = await s.requests.get(r.id);
      assert.deepEqual([after?.webhookState, after?.webhookAttempts], ['delivered', 1]);
      assert.deepEqual((await s.webhooks.listAttempts(r.id)).map((a) => a.statusCode), [200]);
    }));

    test('purge deletes payloads, results and logs past retention, keeping a tombstone', withStore(async (s) => {
      const old = await add(s, newRequest());
      const c = await s.requests.claim('w', LEASE, T0);
      assert.ok(c);
      await s.requests.finish(old.id, c.leaseToken, { state: 'succeeded', result: { big: 1 } }, T0 + 10);
      await s.logs.append(old.id, [{ message: 'x', level: 'INFO', source: 'USER', timestamp: new Date(T0).toISOString() }]);
      const running = await add(s, newRequest());
      assert.deepEqual(await s.requests.purgeFinished(T0 + 10, T0 + 50, 100), [], 'finished exactly at the cut is kept');
      assert.deepEqual(await s.requests.purgeFinished(T0 + 11, T0 + 50, 100), [old.id]);
      const gone = await s.requests.get(old.id);
      assert.deepEqual([gone?.input, gone?.result, gone?.purgedAt], [null, null, T0 + 50]);
      assert.deepEqual(await s.logs.list(old.id), []);
      assert.equal((await s.requests.get(running.id))?.purgedAt, null);
    }));

    test('list filters by owner and state, newest first', withStore(async (s) => {
      const a = await add(s, newRequest({ owner: 'a' }));
      const b = await add(s, newRequest({ owner: 'a' }));
      await add(s, newRequest({ owner: 'b' }));
      assert.deepEqual((await s.requests.list({ owner: 'a', limit: 10 })).map((r) => r.id), [b.id, a.id]);
      assert.equal((await s.requests.list({ state: 'running', limit: 10 })).length, 0);
      assert.equal((await s.requests.list({ limit: 2 })).length, 2);
    }));

    test('the signing key is made once and kept', withStore(async (s) => {
      let made = 0;
      const make = () => ({ kid: `k${++made}`, privatePem: 'pem', publicJwk: { kty: 'OKP' }, createdAt: T0 });
      const first = await s.signingKeys.current(make);
      const second = await s.signingKeys.current(make);
      assert.equal(made, 1);
      assert.equal(second.kid, first.kid);
      assert.deepEqual((await s.signingKeys.list()).map((k) => k.kid), [first.kid]);
    }));
  });
}
