// The body fal POSTs to a webhook when a request ends.
import type { RequestRecord } from '../store/records.ts';

export interface WebhookBody {
  request_id: string;
  gateway_request_id: string;
  status: 'OK' | 'ERROR';
  payload: unknown;
  error?: string;
  payload_error?: string;
}

export function webhookBody(r: RequestRecord): WebhookBody {
  const base = { request_id: r.id, gateway_request_id: r.id };
  if (r.state === 'succeeded') return { ...base, status: 'OK', payload: r.result };
  const f = r.failure ?? { status: 500, detail: 'The request ended without a result.', errorType: 'internal_error' };
  // fal's words for an error, with the error's body as the payload.
  return { ...base, status: 'ERROR', error: `Invalid status code: ${f.status}`, payload: { detail: f.detail, error_type: f.errorType } };
}
