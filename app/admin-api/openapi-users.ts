import { ChangePasswordRequest, MediaEncryptionRequest, ResumeRequest, SuspendRequest } from './schemas';
import { type SchemaOf, body, error, json } from './openapi-parts';

const uuid = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const common = { '401': error('missing or wrong bearer token'), '404': error('no such user (USER.NOT_FOUND)') };

// The users' standing part of the OpenAPI document: suspension, password change and media encryption.
export function usersOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      SuspendRequest: schemaOf(SuspendRequest, 'input'),
      ResumeRequest: schemaOf(ResumeRequest, 'input'),
      ChangePasswordRequest: schemaOf(ChangePasswordRequest, 'input'),
      MediaEncryptionRequest: schemaOf(MediaEncryptionRequest, 'input'),
    },
    paths: {
      '/v1/users/{id}/suspend': {
        post: {
          summary: "Suspend a user: its devices may still register; its calls and calls to it are refused with 403 (emergency calls excepted); its live calls are hung up at once",
          parameters: [uuid],
          requestBody: body('SuspendRequest'),
          responses: { '200': json('the user, suspended', 'User'), '400': error('invalid request (REQUEST.INVALID, USER.INVALID)'), ...common },
        },
      },
      '/v1/users/{id}/resume': {
        post: {
          summary: 'Resume a suspended user: its calls go through again',
          parameters: [uuid],
          requestBody: body('ResumeRequest', false),
          responses: { '200': json('the user', 'User'), '400': error('invalid request (REQUEST.INVALID)'), ...common },
        },
      },
      '/v1/users/{id}/password': {
        put: {
          summary: 'Change the SIP password: the old one stops working at once; registered devices authenticate with the new one at their next refresh',
          parameters: [uuid],
          requestBody: body('ChangePasswordRequest'),
          responses: { '204': { description: 'changed' }, '400': error('invalid request (REQUEST.INVALID, USER.INVALID)'), ...common },
        },
      },
      '/v1/users/{id}/media-encryption': {
        put: {
          summary: "Set the user's media encryption policy (SDES-SRTP to devices on SIP over TLS): required, optional or off; the next call follows it",
          parameters: [uuid],
          requestBody: body('MediaEncryptionRequest'),
          responses: { '200': json('the user', 'User'), '400': error('invalid request (REQUEST.INVALID, USER.INVALID)'), ...common },
        },
      },
    },
  };
}
