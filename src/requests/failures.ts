// The ways a request ends without output, as its result endpoint answers them (fal's error
// types, `https://docs.fal.ai` "errors"). Kept together so every path says them the same way.
import type { FieldError } from '../errors.ts';
import type { Outcome, RequestFailure } from '../store/records.ts';

export const cancelledFailure = (): RequestFailure => ({
  status: 499,
  detail: 'The request was cancelled before it finished.',
  errorType: 'client_cancelled',
});

export const cancelledOutcome = (): Outcome & { state: 'cancelled' } => ({ state: 'cancelled', failure: cancelledFailure() });

export const workerLostOutcome = (attempts: number): Outcome => ({
  state: 'failed',
  failure: {
    status: 500,
    detail: `The worker running this request stopped responding ${attempts} time(s); the request was given up.`,
    errorType: 'runner_disconnected',
  },
});

export const runnerFailure = (message: string): RequestFailure => ({
  status: 500,
  detail: `The runner failed: ${message}`,
  errorType: 'runner_server_error',
});

export const inputFailure = (errors: FieldError[]): RequestFailure => ({
  status: 422,
  detail: errors,
  errorType: 'validation_error',
});

/** A one-line summary of a failure, for status responses and webhooks. */
export function failureSummary(f: RequestFailure): string {
  if (typeof f.detail === 'string') return f.detail;
  if (Array.isArray(f.detail)) {
    return (f.detail as FieldError[]).map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ');
  }
  return f.errorType;
}

export const expiredOutcome = (): Outcome => ({
  state: 'expired',
  failure: {
    status: 504,
    detail: 'The request did not start before its deadline (x-fal-request-timeout).',
    errorType: 'request_timeout',
  },
});
