// Metrics at one seam: the store. Every event /metrics counts (submitted, started, finished,
// webhook attempt, upload) is a committed store write, whoever makes it (worker, API, housekeeper,
// dispatcher), so observing the writes counts them all without hooks in each caller, and counts
// only what was really committed.
import type { Store } from '../store/store.ts';
import type { ReelhouseMetrics } from './reelhouse-metrics.ts';

/**
 * `target` with some members replaced; every other member is the target's own, methods bound to
 * it (class implementations keep private fields, which a plain prototype wrapper cannot reach).
 */
function intercept<T extends object>(target: T, hooks: Partial<T>): T {
  return new Proxy(target, {
    get(t, p) {
      if (Object.hasOwn(hooks, p)) return hooks[p as keyof T];
      const v: unknown = Reflect.get(t, p, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** The same store, with its writes counted in `metrics`. A metric never fails a write. */
export function observeStore(store: Store, metrics: ReelhouseMetrics, onError: (err: unknown) => void): Store {
  const { requests, webhooks, files } = store;
  const finished = async (ids: readonly string[]): Promise<void> => {
    try {
      for (const id of ids) {
        const r = await requests.get(id);
        if (r) metrics.requestFinished(r);
      }
    } catch (err) {
      onError(err);
    }
  };
  return intercept(store, {
    requests: intercept(requests, {
      insert: async (request, since) => {
        const out = await requests.insert(request, since);
        if (out.created) metrics.requestSubmitted(out.request.endpointId);
        return out;
      },
      claim: async (workerId, leaseMs, now) => {
        const claim = await requests.claim(workerId, leaseMs, now);
        if (claim) metrics.requestStarted(claim.request);
        return claim;
      },
      finish: async (id, leaseToken, outcome, now, records) => {
        const done = await requests.finish(id, leaseToken, outcome, now, records);
        if (done) await finished([id]);
        return done;
      },
      cancel: async (id, now, cancelled) => {
        const outcome = await requests.cancel(id, now, cancelled);
        if (outcome === 'cancelled') await finished([id]);
        return outcome;
      },
      expireOverdue: async (now, expired) => {
        const ids = await requests.expireOverdue(now, expired);
        await finished(ids);
        return ids;
      },
      reapExpiredLeases: async (now, outcomes) => {
        const result = await requests.reapExpiredLeases(now, outcomes);
        await finished(result.finished);
        return result;
      },
    }),
    webhooks: intercept(webhooks, {
      recordAttempt: async (requestId, attempt, next) => {
        const recorded = await webhooks.recordAttempt(requestId, attempt, next);
        // An attempt another dispatcher had already recorded is counted once, by that one.
        if (recorded) metrics.webhookAttempt(attempt.error === null, next.state === 'pending' ? null : next.state);
        return recorded;
      },
    }),
    files: intercept(files, {
      markReady: async (id, size, expiresAt) => {
        await files.markReady(id, size, expiresAt);
        metrics.uploaded(size);
      },
    }),
  });
}
