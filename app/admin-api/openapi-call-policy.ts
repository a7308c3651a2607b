import { BlockedPrefixListResponse, BlockedPrefixResponse, BlockPrefixRequest, CallPolicyResponse, PlanCallPolicyRequest, UserCallPolicyRequest } from './call-policy-schemas';
import { type SchemaOf, body, error, json, unauthorized } from './openapi-parts';

const uuid = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

// The call admission part of the OpenAPI document: limits, fraud caps, CLIR and the blocklist.
export function callPolicyOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      UserCallPolicyRequest: schemaOf(UserCallPolicyRequest, 'input'),
      PlanCallPolicyRequest: schemaOf(PlanCallPolicyRequest, 'input'),
      CallPolicy: schemaOf(CallPolicyResponse, 'output'),
      BlockPrefixRequest: schemaOf(BlockPrefixRequest, 'input'),
      BlockedPrefix: schemaOf(BlockedPrefixResponse, 'output'),
      BlockedPrefixList: schemaOf(BlockedPrefixListResponse, 'output'),
    },
    paths: {
      '/v1/users/{id}/call-policy': {
        get: { summary: "A user's own call limits, fraud caps and CLIR, and those that apply (its own, else its plan's)", parameters: [uuid], responses: { '200': json('the settings', 'CallPolicy'), ...unauthorized } },
        put: {
          summary: "Set a user's concurrent-call limits (all calls, PSTN calls), hourly PSTN call cap, daily spend cap and CLIR; null clears one (the plan's default applies)",
          parameters: [uuid],
          requestBody: body('UserCallPolicyRequest'),
          responses: { '200': json('the settings', 'CallPolicy'), '400': error('invalid request (REQUEST.INVALID)'), ...unauthorized, '404': error('no such user (USER.NOT_FOUND)') },
        },
      },
      '/v1/price-plans/{id}/call-policy': {
        put: {
          summary: "Set a price plan's default limits and caps for its users",
          parameters: [uuid],
          requestBody: body('PlanCallPolicyRequest'),
          responses: { '200': json('the settings', 'CallPolicy'), '400': error('invalid request (REQUEST.INVALID)'), ...unauthorized, '404': error('no such plan (PLAN.NOT_FOUND)') },
        },
      },
      '/v1/blocked-prefixes': {
        get: { summary: 'The destination blocklist: configured (BLOCKED_PREFIXES) and added', responses: { '200': json('the blocklist', 'BlockedPrefixList'), ...unauthorized } },
        post: {
          summary: 'Block calls to a destination prefix (premium rate, satellite, high-fraud ranges), at once, before routing',
          requestBody: body('BlockPrefixRequest'),
          responses: { '201': json('blocked', 'BlockedPrefix'), '400': error('invalid request (REQUEST.INVALID, CALL_POLICY.INVALID)'), ...unauthorized },
        },
      },
      '/v1/blocked-prefixes/{prefix}': {
        delete: {
          summary: 'Unblock an added prefix (URL-encoded, e.g. %2B44909)',
          parameters: [{ name: 'prefix', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'unblocked' }, ...unauthorized, '404': error('no such blocked prefix (BLOCKED_PREFIX.NOT_FOUND)') },
        },
      },
    },
  };
}
