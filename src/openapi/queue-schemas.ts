// The queue's own bodies (status, cancel, errors), written as zod like the endpoints' schemas, so
// the OpenAPI documents come from schemas rather than hand-written JSON.
import { z } from 'zod';

const LogEntry = z.object({
  message: z.string(),
  level: z.enum(['STDERR', 'STDOUT', 'ERROR', 'INFO', 'WARN', 'DEBUG']),
  source: z.literal('USER'),
  timestamp: z.string().describe('ISO 8601'),
});

export const QueueStatus = z.object({
  status: z.enum(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']),
  request_id: z.string().describe('The request id'),
  response_url: z.string().optional().describe('The URL of the result'),
  status_url: z.string().optional().describe('The URL of the status'),
  cancel_url: z.string().optional().describe('The URL to cancel the request'),
  queue_position: z.number().int().optional().describe('Requests a worker takes before this one (IN_QUEUE only)'),
  logs: z.array(LogEntry).nullable().optional().describe('Log lines, with ?logs=1'),
  metrics: z
    .object({
      inference_time: z.number().nullable().describe('Seconds the run took, for a request that succeeded'),
      units: z.number().describe("Beyond fal: the request's billing units (0 unless it succeeded)"),
    })
    .optional()
    .describe('Set once COMPLETED'),
  progress: z
    .object({
      fraction: z.number().min(0).max(1),
      stage: z.string(),
      eta_seconds: z.number().nullable(),
      preview_url: z.string().nullable(),
    })
    .optional()
    .describe('Beyond fal: how far a running request is'),
  error: z.string().optional().describe('Beyond fal: why a COMPLETED request has no output'),
  error_type: z.string().optional(),
});

export const CancelAnswer = z.object({ status: z.enum(['CANCELLATION_REQUESTED', 'ALREADY_COMPLETED', 'NOT_FOUND']) });

export const ValidationErrorBody = z.object({
  detail: z.array(
    z.object({
      loc: z.array(z.union([z.string(), z.number()])).describe('Where: ["body", field] or ["query", parameter]'),
      msg: z.string(),
      type: z.string(),
    }),
  ),
});

export const ErrorBody = z.object({
  detail: z.unknown().describe('A message, or a list of {loc, msg, type}'),
  error_type: z.string().optional(),
});
