// In-process notifications: a request changed, or work was submitted. They only shorten waits;
// the store stays the truth, and anyone waiting also re-reads it on a timer, so a missed event
// (or a worker in another process) costs latency, never correctness.
import { EventEmitter } from 'node:events';

export class RequestEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Many SSE listeners and /run waiters may watch at once.
    this.#emitter.setMaxListeners(0);
  }

  changed(requestId: string): void {
    this.#emitter.emit(`changed:${requestId}`);
  }

  submitted(): void {
    this.#emitter.emit('submitted');
  }

  /** A cancel was asked for a running request: its worker should look now, not at its next heartbeat. */
  cancelRequested(requestId: string): void {
    this.#emitter.emit(`cancel:${requestId}`);
  }

  onCancelRequested(requestId: string, fn: () => void): () => void {
    this.#emitter.on(`cancel:${requestId}`, fn);
    return () => this.#emitter.off(`cancel:${requestId}`, fn);
  }

  onChanged(requestId: string, fn: () => void): () => void {
    this.#emitter.on(`changed:${requestId}`, fn);
    return () => this.#emitter.off(`changed:${requestId}`, fn);
  }

  onSubmitted(fn: () => void): () => void {
    this.#emitter.on('submitted', fn);
    return () => this.#emitter.off('submitted', fn);
  }
}
