import { AuditQuery, CreateOperatorRequest, CreateTokenRequest, UpdateOperatorRequest } from './operators-schemas';
import { type SchemaOf, body, error } from './openapi-parts';

const ok = (description: string): Record<string, unknown> => ({ description, content: { 'application/json': {} } });
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'an operator id, or `me`' };
const tokenId = { name: 'tokenId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const denied = { '401': error('missing or wrong bearer token'), '403': error('the role may not do this (AUTH.FORBIDDEN)') };

// Operators, their API tokens and the operator audit log. Roles: admin (everything but lawful
// intercept), billing (balances, top-ups, price plans, invoices, read calls), support (read
// users, sessions, calls and carriers; log a device out; hang a call up).
export function operatorsOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      CreateOperatorRequest: schemaOf(CreateOperatorRequest, 'input'),
      UpdateOperatorRequest: schemaOf(UpdateOperatorRequest, 'input'),
      CreateTokenRequest: schemaOf(CreateTokenRequest, 'input'),
      AuditQuery: schemaOf(AuditQuery, 'input'),
    },
    paths: {
      '/v1/operators': {
        post: { summary: 'Create an operator (admin)', requestBody: body('CreateOperatorRequest'), responses: { '201': ok('the operator'), '400': error('invalid'), ...denied, '409': error('username taken') } },
        get: { summary: 'Every operator (admin)', responses: { '200': ok('operators'), ...denied } },
      },
      '/v1/operators/me': { get: { summary: 'The caller: username, role and how it authenticated', responses: { '200': ok('the caller'), ...denied } } },
      '/v1/operators/{id}': {
        get: { summary: 'An operator (admin)', parameters: [id], responses: { '200': ok('the operator'), ...denied, '404': error('no such operator') } },
        patch: { summary: 'Change role or password, disable or enable (admin)', parameters: [id], requestBody: body('UpdateOperatorRequest'), responses: { '200': ok('the operator'), ...denied, '404': error('no such operator') } },
      },
      '/v1/operators/{id}/tokens': {
        post: { summary: 'Issue an API token (own, or any as admin); the secret is returned this once', parameters: [id], requestBody: body('CreateTokenRequest'), responses: { '201': ok('the token and its secret'), ...denied } },
        get: { summary: 'An operator\'s tokens (own, or any as admin), never their secrets', parameters: [id], responses: { '200': ok('tokens'), ...denied } },
      },
      '/v1/operators/{id}/tokens/{tokenId}': {
        delete: { summary: 'Revoke a token (own, or any as admin)', parameters: [id, tokenId], responses: { '204': { description: 'revoked' }, ...denied, '404': error('no such token') } },
      },
      '/v1/call-records': {
        get: {
          summary:
            'Ended calls, newest first (any role). Filters: from, to (requested time), user (id or username), number, direction, carrier, endCause, sipCode, minDuration (s); cursor and limit page. With Accept: text/csv (or format=csv) every match streams as CSV',
          responses: { '200': { description: '{records, nextCursor} or CSV', content: { 'application/json': {}, 'text/csv': {} } }, '400': error('invalid query or cursor'), ...denied, '404': error('no such user') },
        },
      },
      '/v1/audit': {
        get: {
          summary: 'The operator audit log, newest first (admin); filters operatorId, operator (name), action, target, from, to; cursor and limit page',
          responses: { '200': ok('{entries, nextCursor}'), '400': error('invalid query'), ...denied },
        },
      },
    },
  };
}
