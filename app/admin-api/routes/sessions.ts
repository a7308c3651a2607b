import { Router } from 'express';
import { z } from 'zod';
import { type Session, type SessionService } from '../../session';
import { allow, audit } from '../operator-auth';

const IdParam = z.object({ id: z.string().min(1).max(64) });

export function toSessionResponse(session: Session): Record<string, unknown> {
  return {
    id: session.id,
    userId: session.userId,
    username: session.username,
    connectionId: session.connectionId,
    contactUri: session.contactUri,
    ...(session.transport ? { transport: session.transport } : {}),
    ...(session.userAgent ? { userAgent: session.userAgent } : {}),
    registeredAt: session.registeredAt.toISOString(),
    refreshedAt: session.refreshedAt.toISOString(),
    ...(session.expiresAt ? { expiresAt: session.expiresAt.toISOString() } : {}),
    ...(session.endedAt ? { endedAt: session.endedAt.toISOString() } : {}),
    ...(session.endReason ? { endReason: session.endReason } : {}),
  };
}

// Mounted on /v1: a user's active sessions, and an operator's logout of one session.
export function sessionsRouter(sessions: SessionService): Router {
  const router = Router();

  router.get('/users/:id/sessions', allow('admin', 'support'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    res.json({ sessions: (await sessions.getSessions(id)).map(toSessionResponse) });
  });

  // The device's registration is removed from the switch: it is no longer rung.
  router.delete('/sessions/:id', allow('admin', 'support'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    await sessions.logoutSession(id);
    await audit(req, res, 'session.logout', `session:${id}`);
    res.status(204).end();
  });

  return router;
}
