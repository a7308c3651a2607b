import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type SessionUser, type UserDirectory } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Reads the users table (owned by the users module) for the identity a session belongs to.
export class PrismaUserDirectory implements UserDirectory {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async findById(id: string): Promise<SessionUser | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.db.user.findFirst({ where: { id, deletedAt: null }, select: { id: true, username: true } });
    return row ?? undefined;
  }

  async findByUsername(username: string): Promise<SessionUser | undefined> {
    const row = await this.db.user.findFirst({ where: { username, deletedAt: null }, select: { id: true, username: true } });
    return row ?? undefined;
  }
}
