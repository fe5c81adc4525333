// The store contract. The embedded SQLite store implements it today and a PostgreSQL store will
// tomorrow; everything above this interface is written against it alone, and test/store runs one
// suite against every implementation.
import type {
  CancelOutcome, Claim, FileRecord, KeyRecord, LogEntry, NewRequest, Outcome, RequestRecord,
} from './records.ts';

export interface ReapResult {
  /** Requests whose worker vanished, put back in the queue. */
  requeued: string[];
  /** Requests whose worker vanished too often (or that were being cancelled), now finished. */
  finished: string[];
}

export interface Store {
  // Keys
  insertKey(key: KeyRecord): Promise<void>;
  getKey(id: string): Promise<KeyRecord | null>;
  listKeys(): Promise<KeyRecord[]>;
  /** False when there is no such key or it was already revoked. */
  revokeKey(id: string, now: number): Promise<boolean>;

  // Requests
  insertRequest(request: NewRequest): Promise<RequestRecord>;
  getRequest(id: string): Promise<RequestRecord | null>;
  /** Requests a worker will take before this one; null unless it is queued. */
  queuePosition(id: string): Promise<number | null>;
  /** Takes the next queued request (normal before low, then oldest) under a fresh lease. */
  claimRequest(workerId: string, leaseMs: number, now: number): Promise<Claim | null>;
  /** Extends the lease. `held: false` means the lease was lost and the work must stop. */
  heartbeat(id: string, leaseToken: string, leaseMs: number, now: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  /**
   * Finishes a running request and records its output files, in one transaction; false (and
   * nothing written) when the lease is no longer this worker's.
   */
  finishRequest(id: string, leaseToken: string, outcome: Outcome, now: number, files?: readonly FileRecord[]): Promise<boolean>;
  /** Gives a request back to the queue without spending an attempt (graceful shutdown). */
  releaseRequest(id: string, leaseToken: string): Promise<boolean>;
  /** Requeues or fails running requests whose lease lapsed before `now`. */
  reapExpiredLeases(now: number, outcomes: { lost: (attempts: number) => Outcome; cancelled: Outcome }): Promise<ReapResult>;
  cancelRequest(id: string, now: number, failure: Outcome & { state: 'cancelled' }): Promise<CancelOutcome>;

  // Logs
  appendLog(requestId: string, entry: LogEntry): Promise<void>;
  listLogs(requestId: string): Promise<LogEntry[]>;

  // Files
  insertFile(file: FileRecord): Promise<void>;
  getFileByToken(token: string): Promise<FileRecord | null>;
  /**
   * Consumes an upload URL: returns its pending file and forgets the token, so the URL works
   * once. Null when unknown, used or expired.
   */
  takeUpload(tokenHash: string, now: number): Promise<FileRecord | null>;
  /** Records that a file's bytes are stored. */
  markFileReady(id: string, size: number): Promise<void>;
  listRequestFiles(requestId: string): Promise<FileRecord[]>;

  close(): Promise<void>;
}
