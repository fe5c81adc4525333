// A running request's log lines, written in batches: lines that arrive within a few
// milliseconds share one transaction, and the last ones are written together with the request's
// completion. Per-line commits were the largest single cost of a short job (bench/queue.ts).
import type { RequestEvents } from '../requests/events.ts';
import type { LogEntry, LogLevel } from '../store/records.ts';
import type { Store } from '../store/store.ts';

export interface LogBufferDeps {
  store: Store;
  events: RequestEvents;
  requestId: string;
  now: () => number;
  onError: (err: unknown) => void;
  /** How long a line may wait for company before it is written. */
  delayMs?: number;
}

export class LogBuffer {
  readonly #d: LogBufferDeps;
  #pending: LogEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(deps: LogBufferDeps) {
    this.#d = deps;
  }

  append(message: string, level: LogLevel = 'INFO'): void {
    this.#pending.push({ message, level, source: 'USER', timestamp: new Date(this.#d.now()).toISOString() });
    this.#timer ??= setTimeout(() => this.#flush(), this.#d.delayMs ?? 20);
  }

  #flush(): void {
    this.#timer = null;
    const batch = this.#take();
    if (batch.length === 0) return;
    this.#writing = this.#writing
      .then(() => this.#d.store.logs.append(this.#d.requestId, batch))
      .then(() => this.#d.events.changed(this.#d.requestId), this.#d.onError);
  }

  #take(): LogEntry[] {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = [];
    return batch;
  }

  /**
   * Waits for batches on their way and hands over the lines not yet written, for the caller to
   * write with the request's completion (plus `last`, if given).
   */
  async drain(...last: string[]): Promise<LogEntry[]> {
    await this.#writing;
    for (const m of last) this.append(m);
    return this.#take();
  }

  /** Writes whatever is left (when the request was not finished by this worker). */
  async close(): Promise<void> {
    this.#flush();
    await this.#writing;
  }
}
