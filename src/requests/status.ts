// fal's view of a request: the status body clients poll, and the result body they fetch.
import { falStatus, isTerminal } from './state.ts';
import { failureSummary } from './failures.ts';
import type { LogEntry, RequestRecord } from '../store/records.ts';

export interface RequestUrls {
  response_url: string;
  status_url: string;
  cancel_url: string;
}

export function requestUrls(publicUrl: string, r: Pick<RequestRecord, 'app' | 'id'>): RequestUrls {
  const base = `${publicUrl}/queue/${r.app}/requests/${r.id}`;
  return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

export interface StatusBody extends RequestUrls {
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
  request_id: string;
  queue_position?: number;
  logs?: LogEntry[] | null;
  /** `units`, beyond fal: what the request is billed, in fal's units (0 unless it succeeded). */
  metrics?: { inference_time: number | null; units: number };
  /** Beyond fal: how far a running request is, and a small current frame when there is one. */
  progress?: { fraction: number; stage: string; eta_seconds: number | null; preview_url: string | null };
  /** Beyond fal: why a COMPLETED request has no output. */
  error?: string;
  error_type?: string;
}

export function statusBody(
  publicUrl: string,
  r: RequestRecord,
  extra: { queuePosition: number | null; logs: LogEntry[] | null },
): StatusBody {
  const status = falStatus(r.state);
  const body: StatusBody = { status, request_id: r.id, ...requestUrls(publicUrl, r) };
  if (status === 'IN_QUEUE') body.queue_position = extra.queuePosition ?? 0;
  else body.logs = extra.logs;
  if (r.state === 'running' && r.progress) {
    body.progress = {
      fraction: r.progress.fraction,
      stage: r.progress.stage,
      eta_seconds: r.progress.etaSeconds,
      preview_url: r.previewToken ? `${publicUrl}/previews/${r.previewToken}.jpg` : null,
    };
  }
  if (isTerminal(r.state)) {
    const ran = r.startedAt !== null && r.finishedAt !== null && r.state === 'succeeded';
    body.metrics = { inference_time: ran ? (r.finishedAt! - r.startedAt!) / 1000 : null, units: r.state === 'succeeded' ? r.units : 0 };
    if (r.failure) {
      body.error = failureSummary(r.failure);
      body.error_type = r.failure.errorType;
    }
  }
  return body;
}

/** HTTP status of a status response: fal answers 202 until COMPLETED, then 200. */
export const statusCode = (r: RequestRecord): number => (isTerminal(r.state) ? 200 : 202);
