import { type Clock } from '../shared/kernel';
import { type Database } from '../shared/infra/prisma';
import { PrismaRegistrationRepository } from './prisma-registration-repository';
import { SessionService } from './session-service';

export function createSessionModule(deps: { db: Database; clock: Clock }): SessionService {
  return new SessionService(new PrismaRegistrationRepository(deps.db), deps.clock);
}

export { SessionService } from './session-service';
export type { Session } from './session';
