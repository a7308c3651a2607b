import { type ConnectionEvent, CONNECTION_SUBJECTS } from '../shared/events';
import { type SessionStores } from './ports';
import { type Session } from './session';

export type ConnectionEventOutcome =
  | { outcome: 'created' | 'refreshed' | 'ended'; sessionId: string }
  | { outcome: 'ignored'; reason: string; sessionId?: string };

const expiresAtOf = (event: ConnectionEvent): Date | undefined =>
  'expiresAt' in event && event.expiresAt ? new Date(event.expiresAt) : undefined;

// Applies one connection event to the sessions. Events normally arrive in order; a redelivery
// after a failure may arrive after later ones, so an event older than what a session already
// reflects is ignored rather than undoing it.
export async function applyConnectionEvent(event: ConnectionEvent, stores: SessionStores, newId: () => string): Promise<ConnectionEventOutcome> {
  const at = new Date(event.occurredAt);
  const open = await stores.sessions.findOpenByConnection(event.connectionId);

  if (event.type === CONNECTION_SUBJECTS.expired || event.type === CONNECTION_SUBJECTS.unregistered) {
    if (!open) return { outcome: 'ignored', reason: 'no open session' };
    if (at < open.refreshedAt) return { outcome: 'ignored', reason: 'older than the last refresh', sessionId: open.id };
    const reason = event.type === CONNECTION_SUBJECTS.expired ? 'expired' : 'unregistered';
    // The switch prunes an expired registration some time after its expiry: the session ended then.
    const endedAt = reason === 'expired' && open.expiresAt && open.expiresAt < at ? open.expiresAt : at;
    await stores.sessions.end(open.id, endedAt, reason);
    return { outcome: 'ended', sessionId: open.id };
  }

  const expiresAt = expiresAtOf(event);
  const details = {
    contactUri: event.contactUri,
    ...(event.type === CONNECTION_SUBJECTS.registered && event.transport ? { transport: event.transport } : {}),
    ...(event.type === CONNECTION_SUBJECTS.registered && event.userAgent ? { userAgent: event.userAgent } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
  if (open) {
    if (at < open.refreshedAt) return { outcome: 'ignored', reason: 'older than the last refresh', sessionId: open.id };
    await stores.sessions.refresh(open.id, { ...details, refreshedAt: at });
    return { outcome: 'refreshed', sessionId: open.id };
  }

  // E.g. a refresh that was in flight when an operator logged the session out.
  const last = await stores.sessions.findLastEndedByConnection(event.connectionId);
  if (last?.endedAt && last.endedAt >= at) return { outcome: 'ignored', reason: 'older than the end of the last session', sessionId: last.id };
  // Trunks and deleted users register too, or did: they have no sessions.
  const user = await stores.users.findByUsername(event.username);
  if (!user) return { outcome: 'ignored', reason: 'no such user' };
  const session: Session = { id: newId(), userId: user.id, username: user.username, connectionId: event.connectionId, registeredAt: at, refreshedAt: at, ...details };
  await stores.sessions.insert(session);
  return { outcome: 'created', sessionId: session.id };
}
