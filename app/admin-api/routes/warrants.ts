import { type Request, Router } from 'express';
import { type Logger } from '../../shared/infra/logger';
import { errorHandler } from '../http-errors';
import { type ChainedRecord, type InterceptApi, type Recording, type Warrant } from '../../intercept';
import { type Principal } from '../agency-auth';
import { CreateWarrantRequest, EventsQuery, ModifyWarrantRequest, RecordingParams, WarrantIdParam } from '../schemas';
import { auditedRoute, reply } from './intercept-audit';

export function toWarrantResponse(warrant: Warrant): Record<string, unknown> {
  return {
    id: warrant.id,
    agencyId: warrant.agencyId,
    targets: warrant.targets,
    content: warrant.content,
    validFrom: warrant.validFrom.toISOString(),
    validUntil: warrant.validUntil.toISOString(),
    status: warrant.status,
    createdAt: warrant.createdAt.toISOString(),
    updatedAt: warrant.updatedAt.toISOString(),
    ...(warrant.deactivatedAt ? { deactivatedAt: warrant.deactivatedAt.toISOString() } : {}),
  };
}

const toEventResponse = (record: ChainedRecord): Record<string, unknown> => ({
  seq: record.seq,
  kind: record.kind,
  ...(record.interceptId ? { correlationId: record.interceptId } : {}),
  ...(record.callId ? { callId: record.callId } : {}),
  occurredAt: record.occurredAt,
  payload: record.payload,
  prevHash: record.prevHash,
  hash: record.hash,
  ...(record.keyId ? { keyId: record.keyId } : {}),
});

const toRecordingResponse = (recording: Recording): Record<string, unknown> => ({
  id: recording.id,
  correlationId: recording.interceptId,
  callId: recording.callId,
  segment: recording.segment,
  state: recording.state,
  startedAt: recording.startedAt.toISOString(),
  ...(recording.endedAt ? { endedAt: recording.endedAt.toISOString() } : {}),
  ...(recording.durationMs !== undefined ? { durationMs: recording.durationMs } : {}),
  ...(recording.sizeBytes !== undefined ? { sizeBytes: recording.sizeBytes } : {}),
  ...(recording.sha256 ? { sha256: recording.sha256 } : {}),
  copies: recording.copies,
  ...(recording.retainUntil ? { retainUntil: recording.retainUntil.toISOString() } : {}),
  ...(recording.purgedAt ? { purgedAt: recording.purgedAt.toISOString() } : {}),
});

const agencyOf = (principal: Principal): string => {
  if (principal.type !== 'agency') throw new Error('an agency route reached without an agency');
  return principal.agency.id;
};

// /v1/warrants: the intercept administrator (INTERCEPT_ADMIN_TOKEN) activates, modifies and
// deactivates warrants; an agency (its own token) lists its warrants and reads their intercept
// records and recordings. Each is refused the other's operations (403); another agency's warrant
// does not exist for an agency (404); the admin API's token gets 404 on every route.
export function warrantsRouter(intercept: InterceptApi, resolve: (req: Request) => Promise<Principal>, log: Logger): Router {
  const router = Router();
  const route = (action: string, allow: 'intercept_admin' | 'agency' | 'any', handle: Parameters<typeof auditedRoute>[3]) => auditedRoute(intercept, resolve, { action, allow }, handle);

  router.post(
    '/',
    route('warrant.activate', 'intercept_admin', async (req) => {
      const body = CreateWarrantRequest.parse(req.body);
      const warrant = await intercept.warrants.activate({ ...body, validFrom: new Date(body.validFrom), validUntil: new Date(body.validUntil) });
      return reply(201, (res) => res.location(`/v1/warrants/${warrant.id}`).json(toWarrantResponse(warrant)));
    }),
  );

  router.get(
    '/',
    route('warrant.list', 'any', async (_req, principal) => {
      const warrants = principal.type === 'agency' ? await intercept.access.warrants(principal.agency.id) : await intercept.warrants.list();
      return reply(200, (res) => res.json({ warrants: warrants.map(toWarrantResponse) }));
    }),
  );

  router.get(
    '/:id',
    route('warrant.read', 'any', async (req, principal) => {
      const { id } = WarrantIdParam.parse(req.params);
      const warrant = principal.type === 'agency' ? await intercept.access.warrant(principal.agency.id, id) : await intercept.warrants.get(id);
      return reply(200, (res) => res.json(toWarrantResponse(warrant)));
    }),
  );

  router.patch(
    '/:id',
    route('warrant.modify', 'intercept_admin', async (req) => {
      const { id } = WarrantIdParam.parse(req.params);
      const body = ModifyWarrantRequest.parse(req.body);
      const warrant = await intercept.warrants.modify(id, {
        ...(body.targets ? { targets: body.targets } : {}),
        ...(body.content !== undefined ? { content: body.content } : {}),
        ...(body.validFrom ? { validFrom: new Date(body.validFrom) } : {}),
        ...(body.validUntil ? { validUntil: new Date(body.validUntil) } : {}),
      });
      return reply(200, (res) => res.json(toWarrantResponse(warrant)));
    }),
  );

  router.post(
    '/:id/deactivate',
    route('warrant.deactivate', 'intercept_admin', async (req) => {
      const { id } = WarrantIdParam.parse(req.params);
      const warrant = await intercept.warrants.deactivate(id);
      return reply(200, (res) => res.json(toWarrantResponse(warrant)));
    }),
  );

  router.get(
    '/:id/events',
    route('warrant.events.read', 'agency', async (req, principal) => {
      const { id } = WarrantIdParam.parse(req.params);
      const query = EventsQuery.parse(req.query);
      const events = await intercept.access.events(agencyOf(principal), id, { ...(query.afterSeq !== undefined ? { afterSeq: query.afterSeq } : {}), limit: query.limit });
      return reply(200, (res) => res.json({ events: events.map(toEventResponse) }));
    }),
  );

  router.get(
    '/:id/recordings',
    route('warrant.recordings.list', 'agency', async (req, principal) => {
      const { id } = WarrantIdParam.parse(req.params);
      const recordings = await intercept.access.recordings(agencyOf(principal), id);
      return reply(200, (res) => res.json({ recordings: recordings.map(toRecordingResponse) }));
    }),
  );

  router.get(
    '/:id/recordings/:recordingId/audio',
    route('warrant.recording.audio', 'agency', async (req, principal) => {
      const { id, recordingId } = RecordingParams.parse(req.params);
      const { recording, wav } = await intercept.access.audio(agencyOf(principal), id, recordingId);
      return reply(200, (res) =>
        res
          .type('audio/wav')
          .set('Content-Disposition', `attachment; filename="${recording.id}.wav"`)
          .set('X-Content-SHA256', recording.sha256 ?? '')
          .set('Cache-Control', 'no-store')
          .send(wav),
      );
    }),
  );

  // Failures are logged to the intercept log: their paths carry warrant and recording ids.
  router.use(errorHandler(log));
  return router;
}
