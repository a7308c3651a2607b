import { randomBytes } from 'node:crypto';
import { type Clock } from '../shared/kernel';
import { type Operator } from './operator';
import { hashToken, type OperatorService } from './operator-service';
import { type PgConsoleSessions } from './pg-console-sessions';

// A console session lasts this long from its login, whatever the activity.
export const SESSION_HOURS = 12;

export interface ConsoleSession {
  secret: string;
  csrfToken: string;
  operator: Operator;
  expiresAt: Date;
}

// The console's login sessions: a password login gives a random session secret (the cookie) and a
// CSRF token (sent back in a header on every change); only the secret's SHA-256 is stored.
export class ConsoleSessions {
  constructor(
    private readonly store: PgConsoleSessions,
    private readonly operators: OperatorService,
    private readonly clock: Clock,
  ) {}

  async login(username: string, password: string): Promise<ConsoleSession> {
    const operator = await this.operators.authenticatePassword(username, password);
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
    await this.store.insert(hashToken(secret), operator.id, csrfToken, now, expiresAt);
    return { secret, csrfToken, operator, expiresAt };
  }

  find(secret: string): Promise<{ operator: Operator; csrfToken: string } | undefined> {
    return this.store.find(hashToken(secret), this.clock.now());
  }

  logout(secret: string): Promise<void> {
    return this.store.delete(hashToken(secret));
  }
}
