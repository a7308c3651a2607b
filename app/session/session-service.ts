import { type Clock } from '../shared/kernel';
import { type RegistrationRepository } from './ports';
import { type Session } from './session';

export class SessionService {
  constructor(
    private readonly registrations: RegistrationRepository,
    private readonly clock: Clock,
  ) {}

  getSessions(username: string): Promise<Session[]> {
    return this.registrations.activeOf(username, this.clock.now());
  }

  // Which devices to ring for a call to this user.
  async connectionsOf(username: string): Promise<{ contactUri: string }[]> {
    const sessions = await this.getSessions(username);
    return sessions.map((session) => ({ contactUri: session.contactUri }));
  }
}
