// One OpenAPI 3.1 document per endpoint, as fal publishes one per model: the queue's paths
// (submit, status, status stream, result, cancel) and the synchronous /run path, with the input
// and output schemas generated from the very zod schemas that validate requests. Generic over the
// registry: a new endpoint gets its document with nothing written here.
import { z } from 'zod';
import type { Endpoint, EndpointRegistry } from '../endpoints/registry.ts';
import { appOf } from '../requests/service.ts';
import { EXAMPLES, type EndpointExamples } from './examples.ts';
import { CancelAnswer, ErrorBody, QueueStatus, ValidationErrorBody } from './queue-schemas.ts';

type Json = Record<string, unknown>;

/**
 * JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema. Inputs are described as a client
 * may send them (`io: 'input'`: a field with a default is not required); outputs as sent.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
}

/** `fal-ai/luma-dream-machine/ray-2/image-to-video` → `LumaDreamMachineRay2ImageToVideo`. */
export function schemaBaseName(endpointId: string): string {
  const words = endpointId.split('/').slice(1).join('-').split(/[^a-zA-Z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Endpoint';
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, extra: Json = {}): Json => ({ content: { 'application/json': { schema, ...extra } } });

const REQUEST_ID = {
  name: 'request_id', in: 'path', required: true, description: 'The id the submit answered', schema: { type: 'string' },
};
const LOGS = {
  name: 'logs', in: 'query', required: false, description: '1 to include the log lines', schema: { type: 'string', enum: ['0', '1', 'true', 'false'] },
};
const UNAUTHORIZED = { description: 'No valid key', ...json(ref('Error')) };
const NOT_FOUND = { description: "No such request, or another user's", ...json(ref('Error')) };

function submitParameters(): Json[] {
  return [
    { name: 'fal_webhook', in: 'query', required: false, description: 'A URL that gets the result (signed as fal signs webhooks)', schema: { type: 'string', format: 'uri' } },
    { name: 'x-fal-queue-priority', in: 'header', required: false, description: '`low` waits behind every `normal` request', schema: { type: 'string', enum: ['normal', 'low'], default: 'normal' } },
    { name: 'x-fal-request-timeout', in: 'header', required: false, description: 'Seconds the request may wait to start; then it ends with 504', schema: { type: 'number', exclusiveMinimum: 0 } },
    { name: 'Idempotency-Key', in: 'header', required: false, description: 'Beyond fal: repeats within the window return the first request', schema: { type: 'string' } },
  ];
}

/** The OpenAPI document of one endpoint, with URLs on `publicUrl`. */
export function openApiDocument(endpoint: Endpoint, publicUrl: string, examples: EndpointExamples | undefined = EXAMPLES[endpoint.id]): Json {
  const base = schemaBaseName(endpoint.id);
  const inputName = `${base}Input`;
  const outputName = `${base}Output`;
  const input = jsonSchema(endpoint.input, 'input');
  const output = jsonSchema(endpoint.output, 'output');
  if (examples) input.examples = [examples.input];
  if (examples?.output !== undefined) output.examples = [examples.output];
  const body = { required: true, ...json(ref(inputName), examples ? { examples: { seed: { summary: 'Example', value: examples.input } } } : {}) };
  const resultContent = json(ref(outputName), examples?.output !== undefined ? { examples: { seed: { summary: 'Example', value: examples.output } } } : {});
  const app = appOf(endpoint.id);
  const requestPath = `/queue/${app}/requests/{request_id}`;
  const invalid = { description: 'Invalid input, naming the field', ...json(ref('HTTPValidationError')) };
  const tag = [endpoint.id];

  return {
    openapi: '3.1.0',
    info: {
      title: endpoint.title,
      version: '1.0.0',
      description: `\`${endpoint.id}\` on reelhouse, through fal's queue protocol: \`@fal-ai/client\` works unchanged. Status, result and cancel URLs keep only \`${app}\` of the endpoint id, as fal's do.`,
      'x-endpoint-id': endpoint.id,
    },
    servers: [{ url: publicUrl }],
    security: [{ apiKeyAuth: [] }],
    tags: [{ name: endpoint.id }],
    paths: {
      [`/queue/${endpoint.id}`]: {
        post: {
          tags: tag, operationId: 'submit', summary: 'Submit a request to the queue', parameters: submitParameters(), requestBody: body,
          responses: { 200: { description: 'Queued', ...json(ref('QueueStatus')) }, 401: UNAUTHORIZED, 422: invalid },
        },
      },
      [`${requestPath}/status`]: {
        get: {
          tags: tag, operationId: 'status', summary: 'Status of a request', parameters: [REQUEST_ID, LOGS],
          responses: {
            200: { description: 'COMPLETED', ...json(ref('QueueStatus')) },
            202: { description: 'IN_QUEUE or IN_PROGRESS', ...json(ref('QueueStatus')) },
            401: UNAUTHORIZED, 404: NOT_FOUND,
          },
        },
      },
      [`${requestPath}/status/stream`]: {
        get: {
          tags: tag, operationId: 'statusStream', summary: 'Status as server-sent events, closed after COMPLETED', parameters: [REQUEST_ID, LOGS],
          responses: {
            200: { description: 'One `data:` event per change, each a QueueStatus', content: { 'text/event-stream': { schema: { type: 'string', description: 'data: <QueueStatus as JSON>' } } } },
            401: UNAUTHORIZED, 404: NOT_FOUND,
          },
        },
      },
      [requestPath]: {
        get: {
          tags: tag, operationId: 'result', summary: 'The result of a finished request', parameters: [REQUEST_ID],
          responses: {
            200: { description: 'The output', ...resultContent },
            400: { description: 'Still in progress', ...json(ref('Error')) },
            401: UNAUTHORIZED, 404: NOT_FOUND,
            422: { description: 'The runner could not use the input', ...json(ref('Error')) },
            499: { description: 'Cancelled (client_cancelled)', ...json(ref('Error')) },
            500: { description: 'The runner failed', ...json(ref('Error')) },
            504: { description: 'Did not start before x-fal-request-timeout', ...json(ref('Error')) },
          },
        },
      },
      [`${requestPath}/cancel`]: {
        put: {
          tags: tag, operationId: 'cancel', summary: 'Cancel a request', parameters: [REQUEST_ID],
          responses: {
            202: { description: 'CANCELLATION_REQUESTED', ...json(ref('CancelAnswer')) },
            400: { description: 'ALREADY_COMPLETED', ...json(ref('CancelAnswer')) },
            401: UNAUTHORIZED, 404: NOT_FOUND,
          },
        },
      },
      [`/run/${endpoint.id}`]: {
        post: {
          tags: tag, operationId: 'run', summary: 'Run and wait for the output (fal.run)', requestBody: body,
          responses: {
            200: { description: 'The output; `x-fal-request-id` names the request', ...resultContent },
            401: UNAUTHORIZED, 422: invalid,
            500: { description: 'The runner failed', ...json(ref('Error')) },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Key <key_id>:<key_secret> (`reelhouse keys create`)' },
      },
      schemas: {
        [inputName]: input,
        [outputName]: output,
        QueueStatus: jsonSchema(QueueStatus, 'output'),
        CancelAnswer: jsonSchema(CancelAnswer, 'output'),
        HTTPValidationError: jsonSchema(ValidationErrorBody, 'output'),
        Error: jsonSchema(ErrorBody, 'output'),
      },
    },
  };
}

/** Without an endpoint id: every endpoint, with links to its document and docs. */
export function endpointIndex(registry: EndpointRegistry, publicUrl: string): Json {
  return {
    endpoints: registry.list().map((e) => ({
      endpoint_id: e.id,
      title: e.title,
      openapi_url: `${publicUrl}/openapi.json?endpoint_id=${encodeURIComponent(e.id)}`,
      docs_url: `${publicUrl}/docs?endpoint_id=${encodeURIComponent(e.id)}`,
    })),
  };
}
