import { ConflictError, NotFoundError } from '../shared/kernel';

export const END_REASONS = ['expired', 'unregistered', 'logged_out'] as const;
export type EndReason = (typeof END_REASONS)[number];

// A user's device registered with the switch, from its registration until it expired,
// unregistered or was logged out. `connectionId` is the switch's contact id for the device.
export interface Session {
  id: string;
  userId: string;
  username: string;
  connectionId: string;
  contactUri: string;
  transport?: string;
  userAgent?: string;
  registeredAt: Date;
  refreshedAt: Date;
  expiresAt?: Date;
  endedAt?: Date;
  endReason?: EndReason;
}

// What the switch knows about a connection when a session starts or is refreshed.
export interface ConnectionDetails {
  contactUri: string;
  transport?: string;
  userAgent?: string;
  // When the device registered (defaults to now).
  registeredAt?: Date;
  expiresAt?: Date;
}

// A device the switch can ring now: one current registration (ps_contacts row).
export interface Connection {
  connectionId: string;
  contactUri: string;
  expiresAt: Date;
  // The switch endpoint it registered as, when not the user's own (a browser's "<username>~web").
  endpoint?: string;
}

// Neither ended nor past its registration's expiry.
export function isActive(session: Session, now: Date): boolean {
  return session.endedAt === undefined && (session.expiresAt === undefined || session.expiresAt.getTime() > now.getTime());
}

export class SessionNotFoundError extends NotFoundError {
  constructor(sessionId: string) {
    super('SESSION.NOT_FOUND', 'no such session', { sessionId });
  }
}

export class SessionAlreadyEndedError extends ConflictError {
  constructor(sessionId: string, endReason: string | undefined) {
    super('SESSION.ALREADY_ENDED', 'the session has already ended', { sessionId, endReason });
  }
}

export class ConnectionInUseError extends ConflictError {
  constructor(connectionId: string, sessionId: string) {
    super('SESSION.CONNECTION_IN_USE', 'the connection already has an active session', { connectionId, sessionId });
  }
}
