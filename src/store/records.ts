// The rows the store keeps, as the rest of the program sees them. Times are milliseconds since
// the epoch, always passed in by the caller (`now`), so tests can fake the clock.
import type { RequestState } from '../requests/state.ts';

export type { RequestState };

export interface KeyRecord {
  id: string;
  /** Whose requests this key sees; several keys may share a user. */
  userId: string;
  /** sha256 of the secret, hex. The secret itself is never stored. */
  secretHash: string;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export type Priority = 'normal' | 'low';

/** Why a request did not succeed, as its result endpoint will answer it. */
export interface RequestFailure {
  /** HTTP status the result endpoint answers with. */
  status: number;
  /** fal's `detail`: a message, or a list of `{loc, msg, type}`. */
  detail: unknown;
  /** fal's `error_type`, also sent as `X-Fal-Error-Type`. */
  errorType: string;
}

export interface NewRequest {
  id: string;
  endpointId: string;
  /** `owner/alias`: the part of the endpoint id that status, result and cancel URLs keep. */
  app: string;
  owner: string;
  priority: Priority;
  input: unknown;
  webhookUrl: string | null;
  maxAttempts: number;
  createdAt: number;
  /** The request must have started by then, or it ends `expired` (x-fal-request-timeout). */
  deadlineAt: number | null;
  /** Repeats of a submit with the same key (per owner, within a window) return the first request. */
  idempotencyKey: string | null;
  /** How long output files live (x-fal-object-lifecycle-preference); null: the default retention. */
  outputLifetimeMs: number | null;
  /** fal's billing units of this request (src/endpoints/cost.ts); 0 when absent. */
  units?: number;
}

/** How far a running request is, as its runner last said. */
export interface Progress {
  /** In [0, 1]. */
  fraction: number;
  stage: string;
  /** Seconds left, estimated from the pace so far; null before there is a pace. */
  etaSeconds: number | null;
}

export type WebhookState = 'pending' | 'delivered' | 'failed';

export interface WebhookAttempt {
  attempt: number;
  at: number;
  /** HTTP status of the receiver's answer; null when none came (refused, timed out). */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface RequestRecord extends NewRequest {
  state: RequestState;
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  cancelRequested: boolean;
  result: unknown;
  failure: RequestFailure | null;
  startedAt: number | null;
  finishedAt: number | null;
  progress: Progress | null;
  /** Capability of the current preview frame, once the runner made one. */
  previewToken: string | null;
  webhookState: WebhookState | null;
  webhookAttempts: number;
  /** Set once the input and result were deleted after the retention period. */
  purgedAt: number | null;
  units: number;
}

/** One line of a usage summary: a user's requests to one endpoint. */
export interface UsageRow {
  owner: string;
  endpointId: string;
  /** Requests submitted, in any state. */
  requests: number;
  succeeded: number;
  /** Units of the succeeded requests: as fal, only a request that made its output is billed. */
  units: number;
}

/** A request a worker holds; the token proves the lease on every later write. */
export interface Claim {
  request: RequestRecord;
  leaseToken: string;
}

export type Outcome =
  | { state: 'succeeded'; result: unknown }
  | { state: 'failed' | 'cancelled' | 'expired'; failure: RequestFailure };

export type CancelOutcome = 'cancelled' | 'cancel_requested' | 'already_completed' | 'not_found';

export type LogLevel = 'STDERR' | 'STDOUT' | 'ERROR' | 'INFO' | 'WARN' | 'DEBUG';

export interface LogEntry {
  message: string;
  level: LogLevel;
  source: 'USER';
  /** ISO 8601, as fal sends it. */
  timestamp: string;
}

export interface FileRecord {
  id: string;
  /** The unguessable part of the file's public URL. */
  token: string;
  owner: string;
  /** Set for outputs of a request. */
  requestId: string | null;
  blobKey: string;
  contentType: string;
  fileName: string;
  size: number | null;
  /** `pending` until an upload's bytes have arrived; outputs are born `ready`. */
  state: 'pending' | 'ready';
  /** sha256 of the upload URL's token; cleared once the upload is done (single use). */
  uploadTokenHash: string | null;
  uploadExpiresAt: number | null;
  /** How the upload URL takes bytes: one PUT (the default), or numbered parts and a `complete`. */
  uploadKind?: 'single' | 'multipart' | null;
  /** The blob store's id of a multipart upload. */
  uploadId?: string | null;
  /** A pending upload's requested lifetime (X-Fal-Object-Lifecycle); absent: the default retention. */
  lifetimeMs?: number | null;
  /** When the sweeper deletes the file; absent while an upload is pending, or for a file kept forever. */
  expiresAt?: number | null;
  createdAt: number;
}
