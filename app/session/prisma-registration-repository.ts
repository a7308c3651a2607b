import { type Database } from '../shared/infra/prisma';
import { type RegistrationRepository } from './ports';
import { type Session } from './session';

// Registrations are the ps_contacts rows Asterisk's registrar writes through PJSIP realtime.
export class PrismaRegistrationRepository implements RegistrationRepository {
  constructor(private readonly db: Database) {}

  async activeOf(username: string, now: Date): Promise<Session[]> {
    const rows = await this.db.psContact.findMany({
      where: { endpoint: username, expirationTime: { gt: BigInt(Math.floor(now.getTime() / 1000)) } },
      orderBy: { expirationTime: 'desc' },
    });
    return rows
      .filter((row) => row.uri)
      .map((row) => ({
        id: row.id,
        username,
        contactUri: row.uri ?? '',
        userAgent: row.userAgent ?? undefined,
        expiresAt: new Date(Number(row.expirationTime ?? 0) * 1000),
      }));
  }
}
