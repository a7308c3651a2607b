import {
  AgencyCreatedResponse,
  CreateAgencyRequest,
  CreateWarrantRequest,
  InterceptEventListResponse,
  InterceptRecordingListResponse,
  ModifyWarrantRequest,
  WarrantListResponse,
  WarrantResponse,
} from './schemas';
import { type SchemaOf, error, json, ref } from './openapi-parts';

const uuid = (name: string): Record<string, unknown> => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });

const ADMIN = 'Intercept administrator token (INTERCEPT_ADMIN_TOKEN) only. Agencies get 403.';
const AGENCY = "The agency's own token only, for its own warrants: the intercept administrator gets 403, another agency 404.";
const common = { '401': error('no valid token'), '403': error('these credentials may not do this (AUTH.FORBIDDEN)') };

// The lawful intercept part of the OpenAPI document. Every request is written to an append-only
// audit log before it is answered. The admin API's own ADMIN_TOKEN gets 404 (ROUTE.NOT_FOUND, as
// for a path that does not exist) on every one of these routes.
export function interceptOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      CreateAgencyRequest: schemaOf(CreateAgencyRequest, 'input'),
      AgencyCreated: schemaOf(AgencyCreatedResponse, 'output'),
      CreateWarrantRequest: schemaOf(CreateWarrantRequest, 'input'),
      ModifyWarrantRequest: schemaOf(ModifyWarrantRequest, 'input'),
      Warrant: schemaOf(WarrantResponse, 'output'),
      WarrantList: schemaOf(WarrantListResponse, 'output'),
      InterceptEventList: schemaOf(InterceptEventListResponse, 'output'),
      InterceptRecordingList: schemaOf(InterceptRecordingListResponse, 'output'),
    },
    paths: {
      '/v1/agencies': {
        post: {
          summary: `Create an agency and its API token (shown once). ${ADMIN}`,
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateAgencyRequest') } } },
          responses: { '201': json('created', 'AgencyCreated'), '400': error('invalid request'), ...common },
        },
      },
      '/v1/warrants': {
        post: {
          summary: `Activate a warrant: targets, events only or content too, validity window. Live calls of its targets are intercepted at once. ${ADMIN}`,
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateWarrantRequest') } } },
          responses: { '201': json('activated', 'Warrant'), '400': error('invalid request (REQUEST.INVALID, WARRANT.INVALID)'), '404': error('no such agency (AGENCY.NOT_FOUND)'), ...common },
        },
        get: { summary: 'Warrants: all of them for the intercept administrator, its own for an agency', responses: { '200': json('warrants', 'WarrantList'), '401': common['401'] } },
      },
      '/v1/warrants/{id}': {
        get: { summary: 'A warrant (intercept administrator, or the agency that holds it)', parameters: [uuid('id')], responses: { '200': json('the warrant', 'Warrant'), '404': error('no such warrant (WARRANT.NOT_FOUND)'), '401': common['401'] } },
        patch: {
          summary: `Modify a warrant (targets, content, window); takes effect on live calls. ${ADMIN}`,
          parameters: [uuid('id')],
          requestBody: { required: true, content: { 'application/json': { schema: ref('ModifyWarrantRequest') } } },
          responses: { '200': json('modified', 'Warrant'), '400': error('invalid request'), '404': error('no such warrant'), '409': error('deactivated (WARRANT.DEACTIVATED)'), ...common },
        },
      },
      '/v1/warrants/{id}/deactivate': {
        post: { summary: `Deactivate a warrant: interception stops at once, also on live calls. ${ADMIN}`, parameters: [uuid('id')], responses: { '200': json('deactivated', 'Warrant'), '404': error('no such warrant'), ...common } },
      },
      '/v1/warrants/{id}/events': {
        get: {
          summary: `The warrant's intercept records (begin, answer, end, content, recordings, warrant changes) in hash-chain order. ${AGENCY}`,
          parameters: [uuid('id'), { name: 'afterSeq', in: 'query', required: false, schema: { type: 'integer' } }, { name: 'limit', in: 'query', required: false, schema: { type: 'integer', maximum: 1000 } }],
          responses: { '200': json('records', 'InterceptEventList'), '404': error('no such warrant (WARRANT.NOT_FOUND)'), ...common },
        },
      },
      '/v1/warrants/{id}/recordings': {
        get: { summary: `The warrant's recordings. ${AGENCY}`, parameters: [uuid('id')], responses: { '200': json('recordings', 'InterceptRecordingList'), '404': error('no such warrant'), ...common } },
      },
      '/v1/warrants/{id}/recordings/{recordingId}/audio': {
        get: {
          summary: `A recording as a stereo WAV (left: what the target sent, right: what it heard); X-Content-SHA256 is its hash. ${AGENCY}`,
          parameters: [uuid('id'), uuid('recordingId')],
          responses: { '200': { description: 'audio/wav' }, '404': error('no such warrant or recording'), '503': error('no intact copy could be read (EVIDENCE.UNAVAILABLE)'), ...common },
        },
      },
    },
  };
}
