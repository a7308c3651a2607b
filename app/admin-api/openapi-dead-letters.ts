import { DeadLetterListResponse, ReplayRequest, ReplayResponse } from './dead-letters-schemas';
import { type SchemaOf, error, json, ref, unauthorized } from './openapi-parts';

// The dead-letter part of the OpenAPI document.
export function deadLettersOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      DeadLetterList: schemaOf(DeadLetterListResponse, 'output'),
      ReplayRequest: schemaOf(ReplayRequest, 'input'),
      ReplayResult: schemaOf(ReplayResponse, 'output'),
    },
    paths: {
      '/v1/dead-letters': {
        get: {
          summary:
            'Events a consumer (call records, sessions, invoices, routing) gave up on, oldest first, with the reason. A dependency that is down (PostgreSQL, Redis, NATS) never dead-letters an event: ' +
            'only an event failing for its own reason, after its tries. dead_letters_waiting (metrics) counts them per consumer.',
          parameters: [
            { name: 'consumer', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          ],
          responses: { '200': json('the dead letters', 'DeadLetterList'), '400': error('bad query (REQUEST.INVALID)'), ...unauthorized },
        },
      },
      '/v1/dead-letters/replay': {
        post: {
          summary:
            "Apply dead letters again through their consumer's own handler (all, one consumer's, or these ids; at most 1000 a request). Each one applied is deleted; one that fails again stays, " +
            'with the new reason in the answer. Idempotent: consumers apply an event once per event id.',
          requestBody: { required: false, content: { 'application/json': { schema: ref('ReplayRequest') } } },
          responses: { '200': json('what was replayed and what failed again', 'ReplayResult'), '400': error('bad body (REQUEST.INVALID)'), ...unauthorized },
        },
      },
    },
  };
}
