// Notifications: a request changed, work was submitted, a cancel was asked. They only shorten
// waits; the store stays the truth, and anyone waiting also re-reads it on a slow timer, so a
// missed event costs latency, never correctness. One process (SQLite) uses LocalEvents; several
// processes on one PostgreSQL use PostgresEvents (src/store/postgres/events.ts), which carries the
// same three kinds between processes with LISTEN/NOTIFY.
import { EventEmitter } from 'node:events';

export interface RequestEvents {
  /** The request's row (state, progress) or its log lines changed: watchers re-read it. */
  changed(requestId: string): void;
  /** A request was queued (submitted, requeued, released): an idle worker should look now. */
  submitted(): void;
  /** A cancel was asked for a running request: its worker should look now, not at its next heartbeat. */
  cancelRequested(requestId: string): void;
  onChanged(requestId: string, fn: () => void): () => void;
  onSubmitted(fn: () => void): () => void;
  onCancelRequested(requestId: string, fn: () => void): () => void;
  /**
   * How often a waiter should re-read the store when no event came. In one process every change
   * is seen, so this covers only the odd missed one; across processes it is the safety net for
   * notifications lost while a connection was down.
   */
  readonly fallbackPollMs: number;
  /** Stops delivering events from other processes. */
  close(): Promise<void>;
}

/** The events of one process: an EventEmitter. */
export class LocalEvents implements RequestEvents {
  readonly #emitter = new EventEmitter();
  readonly fallbackPollMs: number;

  constructor(opts: { fallbackPollMs?: number } = {}) {
    // Many SSE listeners and /run waiters may watch at once.
    this.#emitter.setMaxListeners(0);
    this.fallbackPollMs = opts.fallbackPollMs ?? 1000;
  }

  changed(requestId: string): void {
    this.#emitter.emit(`changed:${requestId}`);
  }

  submitted(): void {
    this.#emitter.emit('submitted');
  }

  cancelRequested(requestId: string): void {
    this.#emitter.emit(`cancel:${requestId}`);
  }

  onCancelRequested(requestId: string, fn: () => void): () => void {
    return this.#on(`cancel:${requestId}`, fn);
  }

  onChanged(requestId: string, fn: () => void): () => void {
    return this.#on(`changed:${requestId}`, fn);
  }

  onSubmitted(fn: () => void): () => void {
    return this.#on('submitted', fn);
  }

  /**
   * Wakes every listener at once, as if everything had changed: after a gap in which events from
   * other processes may have been lost, everyone re-reads the store now instead of at its timer.
   */
  wakeAll(): void {
    for (const name of this.#emitter.eventNames()) this.#emitter.emit(name);
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }

  #on(name: string, fn: () => void): () => void {
    this.#emitter.on(name, fn);
    return () => this.#emitter.off(name, fn);
  }
}
