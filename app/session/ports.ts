import { type Session } from './session';

export interface RegistrationRepository {
  // Registrations of this user that have not expired at `now`.
  activeOf(username: string, now: Date): Promise<Session[]>;
}
