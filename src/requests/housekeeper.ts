// The periodic chores of the queue, run by every server process: end requests whose start
// deadline passed, take back requests of workers that vanished, and delete payloads past the
// retention period. Each chore is one store call, safe to run from several processes at once.
import type { Store } from '../store/store.ts';
import type { RequestEvents } from './events.ts';
import { cancelledOutcome, expiredOutcome, workerLostOutcome } from './failures.ts';

export interface HousekeeperDeps {
  store: Store;
  events: RequestEvents;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now: () => number;
  leaseMs: number;
  retentionMs: number;
  /** How often deadlines are checked; status reads also check the request they read. */
  deadlineTickMs?: number;
  purgeEveryMs?: number;
}

export class Housekeeper {
  readonly #d: HousekeeperDeps;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(deps: HousekeeperDeps) {
    this.#d = deps;
  }

  start(): void {
    const every = (ms: number, chore: () => Promise<void>): void => {
      let busy = false;
      const tick = (): void => {
        if (busy) return;
        busy = true;
        chore().catch((err: unknown) => this.#d.logger.error({ err }, 'housekeeping failed')).finally(() => (busy = false));
      };
      tick();
      this.#timers.push(setInterval(tick, ms));
    };
    every(this.#d.deadlineTickMs ?? 250, () => this.expireOverdue());
    every(Math.max(100, Math.floor(this.#d.leaseMs / 4)), () => this.reapLeases());
    every(this.#d.purgeEveryMs ?? 600_000, () => this.purge());
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
  }

  async expireOverdue(): Promise<void> {
    const ids = await this.#d.store.requests.expireOverdue(this.#d.now(), expiredOutcome());
    for (const id of ids) this.#d.events.changed(id);
  }

  async reapLeases(): Promise<void> {
    const reaped = await this.#d.store.requests.reapExpiredLeases(this.#d.now(), { lost: workerLostOutcome, cancelled: cancelledOutcome() });
    const ids = [...reaped.requeued, ...reaped.finished];
    for (const id of ids) this.#d.events.changed(id);
    if (reaped.requeued.length > 0) this.#d.events.submitted();
    if (ids.length > 0) this.#d.logger.warn(reaped, 'took back requests of vanished workers');
  }

  async purge(): Promise<void> {
    const now = this.#d.now();
    let total = 0;
    for (;;) {
      const ids = await this.#d.store.requests.purgeFinished(now - this.#d.retentionMs, now, 500);
      total += ids.length;
      if (ids.length < 500) break;
    }
    if (total > 0) this.#d.logger.info({ purged: total }, 'deleted payloads past the retention period');
  }
}
