// The request state machine. This module owns which transitions exist; the store performs each
// one as a single conditional write, so two workers can never both move the same request.
//
//   queued ──claim──▶ running ──▶ succeeded | failed | cancelled
//     │  ▲              │
//     │  └─lease lapsed─┘ (attempts left; otherwise failed)
//     └──cancel──▶ cancelled          (expired: a start deadline passed while queued)

export const REQUEST_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const TERMINAL_STATES: readonly RequestState[] = ['succeeded', 'failed', 'cancelled', 'expired'];

export function isTerminal(state: RequestState): boolean {
  return TERMINAL_STATES.includes(state);
}

const TRANSITIONS: Record<RequestState, readonly RequestState[]> = {
  queued: ['running', 'cancelled', 'expired'],
  running: ['queued', 'succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** fal's projection: clients know only these three, and stop polling only on COMPLETED. */
export type FalStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export function falStatus(state: RequestState): FalStatus {
  if (state === 'queued') return 'IN_QUEUE';
  if (state === 'running') return 'IN_PROGRESS';
  return 'COMPLETED';
}
