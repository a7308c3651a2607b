import { Prisma } from '../shared/infra/prisma/generated/client';
import { type Database } from '../shared/infra/prisma';
import { type UserLookups, type UserRepository } from './ports';
import { browserEndpointOf, type SipIdentity } from './sip-identity';
import { DEFAULT_MEDIA_ENCRYPTION, isMediaEncryption, type MediaEncryption, PhoneNumberTakenError, type Suspension, type User, UsernameTakenError } from './user';

type UserRow = { id: string; username: string; phoneNumber: string; createdAt: Date; suspendedAt: Date | null; suspensionReason: string | null; mediaEncryption: string };

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  phoneNumber: row.phoneNumber,
  createdAt: row.createdAt,
  mediaEncryption: isMediaEncryption(row.mediaEncryption) ? row.mediaEncryption : DEFAULT_MEDIA_ENCRYPTION,
  ...(row.suspendedAt ? { suspended: { reason: row.suspensionReason ?? '', at: row.suspendedAt } } : {}),
});

// Asterisk's realtime reads ';' in a value as a separator: it stores and reads it as '^3B'.
const toRealtime = (endpoint: SipIdentity['endpoint']): SipIdentity['endpoint'] =>
  endpoint.outboundProxy ? { ...endpoint, outboundProxy: endpoint.outboundProxy.replaceAll(';', '^3B') } : endpoint;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Users and their SIP identities. The lookups of the call path go through plain SQL (`lookups`:
// pg-user-lookups.ts), off the Prisma client's cost; creation and deletion stay here.
export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly db: Database,
    private readonly lookups: UserLookups,
  ) {}

  readonly findActiveById: UserRepository['findActiveById'] = (id) => this.lookups.findActiveById(id);
  readonly findActiveByUsername: UserRepository['findActiveByUsername'] = (username) => this.lookups.findActiveByUsername(username);
  readonly findActiveByPhoneNumber: UserRepository['findActiveByPhoneNumber'] = (phoneNumber) => this.lookups.findActiveByPhoneNumber(phoneNumber);

  async create(user: { username: string; phoneNumber: string; mediaEncryption: MediaEncryption }, identities: readonly SipIdentity[]): Promise<User> {
    try {
      return await this.db.$transaction(async (tx) => {
        const row = await tx.user.create({ data: { username: user.username, phoneNumber: user.phoneNumber, mediaEncryption: user.mediaEncryption } });
        // Leftovers of an earlier identity with this name (there are none unless rows were edited by
        // hand) must not shadow the new one.
        for (const sip of identities) {
          await tx.psContact.deleteMany({ where: { endpoint: sip.endpoint.id } });
          await tx.psAuth.upsert({ where: { id: sip.auth.id }, create: sip.auth, update: sip.auth });
          await tx.psAor.upsert({ where: { id: sip.aor.id }, create: sip.aor, update: sip.aor });
          const endpoint = toRealtime(sip.endpoint);
          await tx.psEndpoint.upsert({ where: { id: endpoint.id }, create: endpoint, update: endpoint });
        }
        return toUser(row);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const target = JSON.stringify(error.meta ?? {});
        if (target.includes('phone')) throw new PhoneNumberTakenError(user.phoneNumber);
        throw new UsernameTakenError(user.username);
      }
      throw error;
    }
  }

  async softDelete(id: string, at: Date): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return this.db.$transaction(async (tx) => {
      const user = await tx.user.findFirst({ where: { id, deletedAt: null } });
      if (!user) return false;
      await tx.user.update({ where: { id }, data: { deletedAt: at } });
      // Without these rows Asterisk refuses the next REGISTER or INVITE of this account.
      const ids = [user.username, browserEndpointOf(user.username)];
      await tx.psEndpoint.deleteMany({ where: { id: { in: ids } } });
      await tx.psAuth.deleteMany({ where: { id: { in: ids } } });
      await tx.psAor.deleteMany({ where: { id: { in: ids } } });
      await tx.psContact.deleteMany({ where: { endpoint: { in: ids } } });
      return true;
    });
  }

  async setSuspension(id: string, suspension: Suspension | null): Promise<User | undefined> {
    if (!UUID.test(id)) return undefined;
    const data = { suspendedAt: suspension?.at ?? null, suspensionReason: suspension?.reason ?? null };
    const { count } = await this.db.user.updateMany({ where: { id, deletedAt: null }, data });
    if (count === 0) return undefined;
    const row = await this.db.user.findFirst({ where: { id, deletedAt: null } });
    return row ? toUser(row) : undefined;
  }

  // The policy and the endpoint's SRTP settings together: Asterisk reads the endpoint row on every
  // request, so the next call of the user follows the new policy.
  async setMediaEncryption(id: string, policy: MediaEncryption, endpoint: Pick<SipIdentity['endpoint'], 'mediaEncryption' | 'mediaEncryptionOptimistic'>): Promise<User | undefined> {
    if (!UUID.test(id)) return undefined;
    return this.db.$transaction(async (tx) => {
      const user = await tx.user.findFirst({ where: { id, deletedAt: null } });
      if (!user) return undefined;
      const row = await tx.user.update({ where: { id }, data: { mediaEncryption: policy } });
      await tx.psEndpoint.updateMany({ where: { id: user.username }, data: endpoint });
      return toUser(row);
    });
  }

  async setSipCredential(id: string, md5Cred: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return this.db.$transaction(async (tx) => {
      const user = await tx.user.findFirst({ where: { id, deletedAt: null } });
      if (!user) return false;
      await tx.psAuth.updateMany({ where: { id: { in: [user.username, browserEndpointOf(user.username)] } }, data: { md5Cred } });
      return true;
    });
  }
}
