import { CarrierListResponse, CarrierResponse, CreateCarrierRequest, UpdateCarrierRequest } from './carriers-schemas';
import { type SchemaOf, body, error, json, unauthorized } from './openapi-parts';

const uuid = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

// The carriers part of the OpenAPI document: SIP trunks to the phone network.
export function carriersOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      CreateCarrierRequest: schemaOf(CreateCarrierRequest, 'input'),
      UpdateCarrierRequest: schemaOf(UpdateCarrierRequest, 'input'),
      Carrier: schemaOf(CarrierResponse, 'output'),
      CarrierList: schemaOf(CarrierListResponse, 'output'),
    },
    paths: {
      '/v1/carriers': {
        post: {
          summary: 'Add a SIP carrier; Asterisk can use it at once (PJSIP realtime, no reload; a registration is pushed to Asterisk and retried every 5 minutes if that failed)',
          requestBody: body('CreateCarrierRequest'),
          responses: {
            '201': json('created', 'Carrier'),
            '400': error('invalid request (REQUEST.INVALID, CARRIER.INVALID)'),
            ...unauthorized,
            '409': error('name taken (CARRIER.NAME_TAKEN)'),
          },
        },
        get: { summary: 'Every carrier', responses: { '200': json('carriers', 'CarrierList'), ...unauthorized } },
      },
      '/v1/carriers/{id}': {
        get: { summary: 'A carrier', parameters: [uuid], responses: { '200': json('the carrier', 'Carrier'), ...unauthorized, '404': error('no such carrier (CARRIER.NOT_FOUND)') } },
        patch: {
          summary: 'Change a carrier (a disabled carrier is removed from Asterisk, calls and registration, until enabled again; its credentials are kept)',
          parameters: [uuid],
          requestBody: body('UpdateCarrierRequest'),
          responses: { '200': json('the carrier', 'Carrier'), '400': error('invalid request'), ...unauthorized, '404': error('no such carrier'), '409': error('name taken') },
        },
        delete: { summary: 'Remove a carrier', parameters: [uuid], responses: { '204': { description: 'removed' }, ...unauthorized, '404': error('no such carrier') } },
      },
      '/v1/carriers/{id}/quality': {
        get: {
          summary:
            "A carrier's quality per destination prefix over time, as the recommendation service learns it (ASR, ACD, PDD, MES per bucket of `bucket` seconds, 300 by default; the last 6 hours unless from/to say), with the rate of the deck's longest covering prefix (admin, support)",
          parameters: [
            uuid,
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'bucket', in: 'query', schema: { type: 'integer', minimum: 60, maximum: 86400 } },
          ],
          responses: { '200': { description: '{carrierId, from, to, bucketSeconds, prefixes: [{prefix, ratePerMinute?, points: [{at, attempts, answered, asr, acdSeconds, pddMs, mes}]}]}' }, '400': error('invalid request'), ...unauthorized },
        },
      },
    },
  };
}
