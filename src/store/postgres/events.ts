// Request events between processes through PostgreSQL's LISTEN/NOTIFY: an SSE stream served by one
// process follows a request run by a worker in another, a submit on one server wakes workers
// everywhere, a cancel on one server reaches the worker running the request at once.
//
// Each process keeps one dedicated connection that LISTENs. An event is delivered to this
// process's own listeners at once, and NOTIFYed right after the store write it follows; events
// raised within one turn of the event loop go out in one statement (one round trip however many
// requests progressed). Payloads are small: `origin kind requestId`, the origin telling a process
// its own events apart so it does not deliver them twice. A lost connection is re-made with
// backoff, and since notifications sent meanwhile are lost for good, everyone in this process is
// woken once it is back; waiters also keep their slow re-read timer as the last safety net.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { LocalEvents, type RequestEvents } from '../../requests/events.ts';

/** The channel; NOTIFY is scoped to the database, so one name serves every deployment. */
export const CHANNEL = 'reelhouse_events';

/** application_name of each process's listening connection. */
export const LISTENER_NAME = 'reelhouse-events';

type Kind = 'changed' | 'submitted' | 'cancel';

export interface PostgresEventsOptions {
  /** How often waiters re-read the store without an event (the safety net). */
  fallbackPollMs?: number;
  /** How often the listening connection is checked; a dead one is noticed by then at the latest. */
  pingMs?: number;
  /** Told when the listening connection is lost and when it is back. */
  onConnection?: (state: 'lost' | 'restored', err?: unknown) => void;
}

// NOTIFY for a batch of payloads in one statement; identical payloads in one transaction are
// folded into one by PostgreSQL itself.
const NOTIFY = { name: 'events_notify', text: 'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p' };

export class PostgresEvents implements RequestEvents {
  readonly #local: LocalEvents;
  readonly #url: string;
  readonly #origin = randomBytes(4).toString('hex');
  readonly #notifier: pg.Pool;
  readonly #opts: PostgresEventsOptions;
  #listener: pg.Client | null = null;
  #pending = new Set<string>();
  #flushing: Promise<void> | null = null;
  #closed = false;
  #retryMs = 0;
  #reconnect: NodeJS.Timeout | null = null;
  #ping: NodeJS.Timeout | null = null;

  private constructor(url: string, opts: PostgresEventsOptions) {
    this.#url = url;
    this.#opts = opts;
    this.#local = new LocalEvents({ fallbackPollMs: opts.fallbackPollMs ?? 5000 });
    // Its own two connections: a NOTIFY never waits behind the store's queries for a connection.
    this.#notifier = new pg.Pool({ connectionString: url, max: 2 });
    this.#notifier.on('error', () => {});
  }

  /** Connects the listening connection; rejects if the database cannot be reached. */
  static async open(url: string, opts: PostgresEventsOptions = {}): Promise<PostgresEvents> {
    const events = new PostgresEvents(url, opts);
    try {
      await events.#listen();
    } catch (err) {
      await events.close();
      throw err;
    }
    events.#ping = setInterval(() => events.#checkListener(), opts.pingMs ?? 15_000);
    events.#ping.unref();
    return events;
  }

  get fallbackPollMs(): number {
    return this.#local.fallbackPollMs;
  }

  changed(requestId: string): void {
    this.#local.changed(requestId);
    this.#send('changed', requestId);
  }

  submitted(): void {
    this.#local.submitted();
    this.#send('submitted', '');
  }

  cancelRequested(requestId: string): void {
    this.#local.cancelRequested(requestId);
    this.#send('cancel', requestId);
  }

  onChanged(requestId: string, fn: () => void): () => void {
    return this.#local.onChanged(requestId, fn);
  }

  onSubmitted(fn: () => void): () => void {
    return this.#local.onSubmitted(fn);
  }

  onCancelRequested(requestId: string, fn: () => void): () => void {
    return this.#local.onCancelRequested(requestId, fn);
  }

  /** Sends what is queued, then stops listening and closes both connections. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ping) clearInterval(this.#ping);
    if (this.#reconnect) clearTimeout(this.#reconnect);
    await this.#flushing;
    const listener = this.#listener;
    this.#listener = null;
    await listener?.end().catch(() => undefined);
    await this.#notifier.end().catch(() => undefined);
    await this.#local.close();
  }

  #send(kind: Kind, requestId: string): void {
    if (this.#closed) return;
    this.#pending.add(`${this.#origin} ${kind} ${requestId}`);
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
  }

  async #flush(): Promise<void> {
    // Events raised while a batch is on its way wait for the next one: batches grow with load.
    while (this.#pending.size > 0) {
      const batch = [...this.#pending];
      this.#pending.clear();
      try {
        await this.#notifier.query({ ...NOTIFY, values: [CHANNEL, batch] });
      } catch {
        // The database is unreachable: other processes will re-read on their timers.
      }
    }
    this.#flushing = null;
  }

  #receive(payload: string | undefined): void {
    const [origin, kind, requestId = ''] = (payload ?? '').split(' ');
    if (origin === this.#origin) return; // delivered locally when it was raised
    if (kind === 'changed') this.#local.changed(requestId);
    else if (kind === 'submitted') this.#local.submitted();
    else if (kind === 'cancel') this.#local.cancelRequested(requestId);
  }

  async #listen(): Promise<void> {
    // Named, so an operator can tell it apart in pg_stat_activity (it idles for hours by design).
    const client = new pg.Client({ connectionString: this.#url, keepAlive: true, application_name: LISTENER_NAME });
    client.on('notification', (m) => this.#receive(m.payload));
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#listener = client;
  }

  #checkListener(): void {
    this.#listener?.query('SELECT 1').catch((err: unknown) => this.#lost(this.#listener, err));
  }

  #lost(client: pg.Client | null, err?: unknown): void {
    if (this.#closed || client === null || client !== this.#listener) return;
    this.#listener = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.#opts.onConnection?.('lost', err);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#retryMs = Math.min(5000, this.#retryMs === 0 ? 100 : this.#retryMs * 2);
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (this.#closed) return;
      this.#listen().then(
        () => {
          if (this.#closed) return void this.#listener?.end().catch(() => undefined);
          this.#retryMs = 0;
          this.#opts.onConnection?.('restored');
          // Whatever was sent while we were away is gone: everyone looks at the store now.
          this.#local.wakeAll();
        },
        () => this.#scheduleReconnect(),
      );
    }, this.#retryMs);
  }
}
