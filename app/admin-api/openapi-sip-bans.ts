import { SipBanListResponse } from './sip-bans-schemas';
import { type SchemaOf, error, json, unauthorized } from './openapi-parts';

// The SIP edge's bans in the OpenAPI document.
export function sipBansOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: { SipBanList: schemaOf(SipBanListResponse, 'output') },
    paths: {
      '/v1/sip-bans': {
        get: {
          summary:
            'Source addresses the SIP edge bans now (failed digest authentications past the limit, a flood, a scanner user agent), and the failed authentications counted by source and by username. ' +
            'A banned address gets no answer at all until its ban ends. Admin or support. Only where the app knows the edge (EDGE_RPC_URL).',
          responses: { '200': json('the bans and counts', 'SipBanList'), '503': error("the edge's RPC did not answer (EDGE.UNREACHABLE)"), ...unauthorized },
        },
      },
      '/v1/sip-bans/{address}': {
        delete: {
          summary: "Lift one ban now (the address's failure count starts again from 0). Admin only; audit-logged (sip-bans.lift).",
          parameters: [{ name: 'address', in: 'path', required: true, schema: { type: 'string', example: '203.0.113.7' } }],
          responses: {
            '204': { description: 'lifted' },
            '400': error('not an IP address (REQUEST.INVALID)'),
            '404': error('the address is not banned (SIP_BAN.NOT_FOUND)'),
            '503': error("the edge's RPC did not answer (EDGE.UNREACHABLE)"),
            ...unauthorized,
          },
        },
      },
    },
  };
}
