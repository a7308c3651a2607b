import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type ContactRegistry } from './ports';
import { type Connection } from './session';

// Registrations are the ps_contacts rows Asterisk's registrar writes through PJSIP realtime.
// Asterisk caches none of them (sorcery.conf), so a removed row is never rung again.
export class PrismaContactRegistry implements ContactRegistry {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async activeOf(username: string, now: Date): Promise<Connection[]> {
    const rows = await this.db.psContact.findMany({
      where: { endpoint: username, expirationTime: { gt: BigInt(Math.floor(now.getTime() / 1000)) } },
      orderBy: { expirationTime: 'desc' },
    });
    return rows
      .filter((row) => row.uri)
      .map((row) => ({ connectionId: row.id, contactUri: row.uri ?? '', expiresAt: new Date(Number(row.expirationTime ?? 0) * 1000) }));
  }

  async remove(connectionId: string): Promise<void> {
    await this.db.psContact.deleteMany({ where: { id: connectionId } });
  }
}
