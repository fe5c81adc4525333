// The store contract. The embedded SQLite store implements it today and a PostgreSQL store will
// tomorrow; everything above this interface is written against it alone, and test/store runs one
// suite against every implementation. It is split by concern: each part is small enough to read
// whole, and each implementation keeps one file per part.
import type {
  CancelOutcome, Claim, FileRecord, KeyRecord, LogEntry, NewRequest, Outcome, Priority, Progress, RequestRecord, RequestState,
  UsageRow, WebhookAttempt, WebhookState,
} from './records.ts';

export interface KeyStore {
  insert(key: KeyRecord): Promise<void>;
  get(id: string): Promise<KeyRecord | null>;
  list(): Promise<KeyRecord[]>;
  /** False when there is no such key or it was already revoked. */
  revoke(id: string, now: number): Promise<boolean>;
}

export interface ReapResult {
  /** Requests whose worker vanished, put back in the queue. */
  requeued: string[];
  /** Requests whose worker vanished too often (or that were being cancelled), now finished. */
  finished: string[];
}

export interface ReapOutcomes {
  lost: (attempts: number) => Outcome;
  cancelled: Outcome;
}

export interface RequestFilter {
  owner?: string | undefined;
  state?: RequestState | undefined;
  limit: number;
}

/** What a worker writes together with a request's completion. */
export interface FinishExtras {
  /** Output files of the request. */
  files?: readonly FileRecord[];
  /** Its last log lines. */
  logs?: readonly LogEntry[];
}

export interface RequestStore {
  /**
   * Inserts a queued request. With an idempotency key, a request of the same owner and key
   * created at or after `idempotentSince` is returned instead (`created: false`).
   */
  insert(request: NewRequest, idempotentSince?: number): Promise<{ request: RequestRecord; created: boolean }>;
  get(id: string): Promise<RequestRecord | null>;
  /** Requests a worker will take before this one; null unless it is queued. */
  queuePosition(id: string): Promise<number | null>;
  /** Takes the next queued request (normal before low, then oldest) under a fresh lease. */
  claim(workerId: string, leaseMs: number, now: number): Promise<Claim | null>;
  /** Extends the lease. `held: false` means the lease was lost and the work must stop. */
  heartbeat(id: string, leaseToken: string, leaseMs: number, now: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  /**
   * Finishes a running request and records its output files and last log lines, in one
   * transaction; false (and nothing written) when the lease is no longer this worker's.
   */
  finish(id: string, leaseToken: string, outcome: Outcome, now: number, with_?: FinishExtras): Promise<boolean>;
  /** Gives a request back to the queue without spending an attempt (graceful shutdown). */
  release(id: string, leaseToken: string): Promise<boolean>;
  /** Requeues or finishes running requests whose lease lapsed before `now`. */
  reapExpiredLeases(now: number, outcomes: ReapOutcomes): Promise<ReapResult>;
  cancel(id: string, now: number, cancelled: Outcome & { state: 'cancelled' }): Promise<CancelOutcome>;
  /** Ends queued requests whose start deadline has passed; returns their ids. */
  expireOverdue(now: number, expired: Outcome): Promise<string[]>;
  /** Records a running request's progress (and preview); false when the lease is not held. */
  setProgress(id: string, leaseToken: string, progress: Progress, previewToken: string | null): Promise<boolean>;
  /** Deletes input, result and logs of requests finished before `before`; returns their ids. */
  purgeFinished(before: number, now: number, limit: number): Promise<string[]>;
  list(filter: RequestFilter): Promise<RequestRecord[]>;
  getByPreviewToken(token: string): Promise<RequestRecord | null>;
  /** Requests and units per user and endpoint, of requests created in [since, until). */
  usage(filter: UsageFilter): Promise<UsageRow[]>;
  /** What is queued and running now, for /metrics; cheap (partial indexes only). */
  activity(): Promise<QueueActivity>;
}

export interface UsageFilter {
  owner?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export interface QueueActivity {
  queued: { endpointId: string; priority: Priority; count: number; oldestCreatedAt: number }[];
  running: { endpointId: string; leaseOwner: string | null; count: number }[];
}

/** The outbox of webhook deliveries, kept on the request rows themselves. */
export interface WebhookStore {
  /** Takes up to `limit` deliveries that are due, each for `leaseMs`. */
  claimDue(now: number, leaseMs: number, limit: number): Promise<RequestRecord[]>;
  /**
   * Records one attempt and what comes next, in one transaction, if it is still the request's next
   * attempt (`webhookAttempts + 1`, state pending). False when another dispatcher recorded that
   * attempt first (a claim that lapsed while this one stalled): nothing is written then, so a late
   * answer can never undo a delivery.
   */
  recordAttempt(requestId: string, attempt: WebhookAttempt, next: { state: WebhookState; nextAt: number | null }): Promise<boolean>;
  listAttempts(requestId: string): Promise<WebhookAttempt[]>;
}

export interface SigningKey {
  kid: string;
  privatePem: string;
  /** The public key as a JWK (`{kty: 'OKP', crv: 'Ed25519', x, kid}`). */
  publicJwk: Record<string, string>;
  createdAt: number;
}

export interface SigningKeyStore {
  /** The current key, made by `make` and kept if there is none yet (first start). */
  current(make: () => SigningKey): Promise<SigningKey>;
  list(): Promise<SigningKey[]>;
}

export interface LogStore {
  append(requestId: string, entries: readonly LogEntry[]): Promise<void>;
  list(requestId: string): Promise<LogEntry[]>;
}

export interface FileStore {
  insert(file: FileRecord): Promise<void>;
  getByToken(token: string): Promise<FileRecord | null>;
  /** The pending upload of a live upload URL of this kind, without using the URL up. */
  findUpload(tokenHash: string, now: number, kind?: 'single' | 'multipart'): Promise<FileRecord | null>;
  /**
   * Consumes an upload URL: returns its pending file and forgets the token, so the URL works
   * once. Null when unknown, used, expired or of another kind.
   */
  takeUpload(tokenHash: string, now: number, kind?: 'single' | 'multipart'): Promise<FileRecord | null>;
  /** Records that a file's bytes are stored, and when it expires (never, without `expiresAt`). */
  markReady(id: string, size: number, expiresAt?: number | null): Promise<void>;
  listForRequest(requestId: string): Promise<FileRecord[]>;
  /** Ready files whose time is up, oldest first. */
  listExpired(now: number, limit: number): Promise<FileRecord[]>;
  /** Pending uploads whose URL expired before `now`. */
  listAbandoned(now: number, limit: number): Promise<FileRecord[]>;
  delete(id: string): Promise<void>;
}

export interface Store {
  keys: KeyStore;
  requests: RequestStore;
  logs: LogStore;
  files: FileStore;
  webhooks: WebhookStore;
  signingKeys: SigningKeyStore;
  close(): Promise<void>;
}
