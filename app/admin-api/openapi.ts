import { z } from 'zod';
import { billingOpenApi } from './openapi-billing';
import { callPolicyOpenApi } from './openapi-call-policy';
import { carriersOpenApi } from './openapi-carriers';
import { operatorsOpenApi } from './openapi-operators';
import { interceptOpenApi } from './openapi-intercept';
import { routingOpenApi } from './openapi-routing';
import { deadLettersOpenApi } from './openapi-dead-letters';
import { sipBansOpenApi } from './openapi-sip-bans';
import { usersOpenApi } from './openapi-users';
import {
  CallListResponse,
  CallResponse,
  CreateUserRequest,
  ErrorResponse,
  HealthResponse,
  InvoiceListResponse,
  InvoiceResponse,
  SessionListResponse,
  SessionResponse,
  StartCallRequest,
  UserResponse,
} from './schemas';

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, id: _id, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

const errorResponse = (description: string): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

const userIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const sessionIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const callIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const invoiceIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

// OpenAPI 3.1 description of the admin API, built from the same zod schemas that validate requests.
export function buildOpenApiDocument(): Record<string, unknown> {
  const billing = billingOpenApi(schemaOf);
  const intercept = interceptOpenApi(schemaOf);
  const routing = routingOpenApi(schemaOf);
  const carriers = carriersOpenApi(schemaOf);
  const deadLetters = deadLettersOpenApi(schemaOf);
  const sipBans = sipBansOpenApi(schemaOf);
  const standing = usersOpenApi(schemaOf);
  const callPolicy = callPolicyOpenApi(schemaOf);
  const operators = operatorsOpenApi(schemaOf);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Calling platform admin API',
      version: '1.0.0',
      description: 'Operators manage users of the calling platform. Errors are {code, message, details}.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateUserRequest: schemaOf(CreateUserRequest, 'input'),
        User: schemaOf(UserResponse, 'output'),
        Error: schemaOf(ErrorResponse, 'output'),
        Health: schemaOf(HealthResponse, 'output'),
        Call: schemaOf(CallResponse, 'output'),
        StartCallRequest: schemaOf(StartCallRequest, 'input'),
        CallList: schemaOf(CallListResponse, 'output'),
        Session: schemaOf(SessionResponse, 'output'),
        SessionList: schemaOf(SessionListResponse, 'output'),
        Invoice: schemaOf(InvoiceResponse, 'output'),
        InvoiceList: schemaOf(InvoiceListResponse, 'output'),
        ...billing.schemas,
        ...intercept.schemas,
        ...routing.schemas,
        ...carriers.schemas,
        ...deadLetters.schemas,
        ...sipBans.schemas,
        ...standing.schemas,
        ...callPolicy.schemas,
        ...operators.schemas,
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Readiness: PostgreSQL, Redis, NATS and Asterisk (ARI) all reachable',
          security: [],
          responses: {
            '200': { description: 'all dependencies reachable', content: { 'application/json': { schema: ref('Health') } } },
            '503': { description: 'at least one dependency unreachable (named in checks)', content: { 'application/json': { schema: ref('Health') } } },
          },
        },
      },
      '/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1 document' } } },
      },
      '/v1/users': {
        post: {
          summary: 'Create a user; it can register its SIP devices at once',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateUserRequest') } } },
          responses: {
            '201': { description: 'created', content: { 'application/json': { schema: ref('User') } } },
            '400': errorResponse('invalid request (REQUEST.INVALID, REQUEST.MALFORMED_JSON, USER.INVALID)'),
            '401': errorResponse('missing or wrong bearer token'),
            '409': errorResponse('username or phone number taken (USER.USERNAME_TAKEN, USER.PHONE_NUMBER_TAKEN)'),
          },
        },
      },
      '/v1/users/{id}': {
        get: {
          summary: 'A user',
          parameters: [userIdParameter],
          responses: {
            '200': { description: 'the user', content: { 'application/json': { schema: ref('User') } } },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such user (USER.NOT_FOUND)'),
          },
        },
        delete: {
          summary: 'Delete a user: it can no longer register or call; its live calls are hung up at once',
          parameters: [userIdParameter],
          responses: {
            '204': { description: 'deleted' },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such user (USER.NOT_FOUND)'),
          },
        },
      },
      '/v1/users/{id}/sessions': {
        get: {
          summary: "A user's active sessions: registered devices, neither expired nor logged out",
          parameters: [userIdParameter],
          responses: {
            '200': { description: 'active sessions, oldest first', content: { 'application/json': { schema: ref('SessionList') } } },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such user (USER.NOT_FOUND)'),
          },
        },
      },
      '/v1/sessions/{id}': {
        delete: {
          summary: 'Log a session out: its registration is removed, so the device is no longer rung (its next REGISTER starts a new session)',
          parameters: [sessionIdParameter],
          responses: {
            '204': { description: 'logged out' },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such session (SESSION.NOT_FOUND)'),
            '409': errorResponse('the session has already ended (SESSION.ALREADY_ENDED)'),
          },
        },
      },
      '/v1/users/{id}/invoices': {
        get: {
          summary: "A user's monthly statements (one per calendar month in UTC and currency), newest first",
          parameters: [userIdParameter],
          responses: {
            '200': { description: 'statements without their lines', content: { 'application/json': { schema: ref('InvoiceList') } } },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such user and no statements (USER.NOT_FOUND)'),
          },
        },
      },
      '/v1/invoices/{id}': {
        get: {
          summary: 'A statement with its call lines, rates and totals: JSON, or a document to read (HTML page, A4 PDF)',
          parameters: [
            invoiceIdParameter,
            { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'html', 'pdf'] }, description: 'overrides the Accept header' },
            { name: 'locale', in: 'query', required: false, schema: { type: 'string', example: 'de-DE' }, description: 'BCP 47 locale of amounts and dates in HTML and PDF (default en-US)' },
          ],
          responses: {
            '200': {
              description: 'the statement',
              content: {
                'application/json': { schema: ref('Invoice') },
                'text/html': { schema: { type: 'string' } },
                'application/pdf': { schema: { type: 'string', format: 'binary' } },
              },
            },
            '400': errorResponse('invalid query (REQUEST.INVALID)'),
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such invoice (INVOICE.NOT_FOUND)'),
            '406': errorResponse('Accept names none of JSON, HTML, PDF (REQUEST.NOT_ACCEPTABLE)'),
          },
        },
      },
      '/v1/calls': {
        post: {
          summary: "Click-to-call (startCall): ring the devices of `from`; the first to answer calls `to` as if it had dialled it (same routing, billing, parallel ringing, records and events)",
          requestBody: { required: true, content: { 'application/json': { schema: ref('StartCallRequest') } } },
          responses: {
            '201': { description: "the call, live, while `from`'s devices ring", content: { 'application/json': { schema: ref('Call') } } },
            '400': errorResponse('invalid request (REQUEST.INVALID, REQUEST.MALFORMED_JSON)'),
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such user as from, or as a to username (CALL.USER_NOT_FOUND)'),
            '480': errorResponse('from has no device that can be rung (CALL.CALLER_UNREACHABLE)'),
          },
        },
        get: {
          summary: 'Live calls (on any controller instance), optionally of one user',
          parameters: [{ name: 'user', in: 'query', required: false, schema: { type: 'string' }, description: 'user id or username, as caller or callee' }],
          responses: {
            '200': { description: 'live calls', content: { 'application/json': { schema: ref('CallList') } } },
            '400': errorResponse('invalid query (REQUEST.INVALID)'),
            '401': errorResponse('missing or wrong bearer token'),
          },
        },
      },
      '/v1/calls/{id}': {
        get: {
          summary: 'A call, live or finished, with its state history and timestamps',
          parameters: [callIdParameter],
          responses: {
            '200': { description: 'the call', content: { 'application/json': { schema: ref('Call') } } },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such call (CALL.NOT_FOUND)'),
          },
        },
        delete: {
          summary: 'Hang a live call up (operator)',
          parameters: [callIdParameter],
          responses: {
            '202': { description: 'the call is being hung up' },
            '401': errorResponse('missing or wrong bearer token'),
            '404': errorResponse('no such call (CALL.NOT_FOUND)'),
            '409': errorResponse('the call has already ended (CALL.ALREADY_ENDED)'),
          },
        },
      },
      ...intercept.paths,
      ...billing.paths,
      ...routing.paths,
      ...carriers.paths,
      ...deadLetters.paths,
      ...sipBans.paths,
      ...standing.paths,
      ...callPolicy.paths,
      ...operators.paths,
    },
  };
}
