import { CarrierRateImportResponse, RouteAnswerResponse } from './routing-schemas';
import { type SchemaOf, error, json, unauthorized } from './openapi-parts';

const CARRIER_RATES_EXAMPLE = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment', '44,0.012,,60,60', '4420,0.004,,1,1', '447,0.021,0.01,30,6'].join('\n');

// The routing part of the OpenAPI document: getRoute and the carriers' rate decks.
export function routingOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      RouteAnswer: schemaOf(RouteAnswerResponse, 'output'),
      CarrierRateImport: schemaOf(CarrierRateImportResponse, 'output'),
    },
    paths: {
      '/v1/routes': {
        get: {
          summary:
            'getRoute(sender, receiver): the carriers a call from this user to this number would try, best first, with the cost and quality figures used and why. ' +
            'Disabled carriers, carriers whose deck has no rate for the number and carriers costing more than the retail price (unless allowed) are listed as excluded.',
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string' }, description: "the calling user's id or username" },
            { name: 'to', in: 'query', required: true, schema: { type: 'string' }, description: "the number: E.164, or national in the sender's country" },
          ],
          responses: {
            '200': json('the ranking', 'RouteAnswer'),
            '400': error('not a valid phone number (ROUTING.INVALID_DESTINATION), or a missing parameter (REQUEST.INVALID)'),
            ...unauthorized,
            '404': error('no such user (USER.NOT_FOUND)'),
          },
        },
      },
      '/v1/carriers/{id}/rates': {
        post: {
          summary:
            "Replace the carrier's rate deck with a CSV file, all or nothing: prefix (E.164 digits), rate_per_minute (decimal major units of the carriers' currency, up to 6 decimals), " +
            'connect_fee (up to the currency decimals), first_increment and next_increment (seconds; empty = 60). Longest prefix wins. Every instance routes with the new deck within ROUTING_REFRESH_MS.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' }, example: CARRIER_RATES_EXAMPLE } } },
          responses: {
            '200': json('imported', 'CarrierRateImport'),
            '400': error('bad rows: details.errors lists {line, field, message} of every bad or duplicate row (the first 1000; details.errorCount counts all), nothing imported (RATES.INVALID); file too large (RATES.TOO_LARGE); not text/csv (REQUEST.INVALID)'),
            ...unauthorized,
            '404': error('no such carrier, or deleted (CARRIER.NOT_FOUND)'),
          },
        },
      },
    },
  };
}
