import { Prisma } from '../shared/infra/prisma/generated/client';
import { type Database } from '../shared/infra/prisma';
import { type Carrier, type CarrierChange, CarrierNameTakenError, REGISTRATION_DEFAULTS, type RegistrationInput } from './carrier';
import { type CarrierIdentity } from './carrier-identity';
import { toCarrier } from './carrier-rows';
import { type CarrierLookups, type CarrierRepository } from './ports';

type Tx = Prisma.TransactionClient;

// A registration given replaces the previous one whole (its unset fields fall back to the
// defaults); null removes it.
function registrationColumns(registration: RegistrationInput | null) {
  return {
    register: registration !== null,
    registrationServerUri: registration?.serverUri ?? null,
    registrationClientUri: registration?.clientUri ?? null,
    registrationContactUser: registration?.contactUser ?? null,
    registrationExpirationSeconds: registration?.expirationSeconds ?? REGISTRATION_DEFAULTS.expirationSeconds,
    registrationRetrySeconds: registration?.retryIntervalSeconds ?? REGISTRATION_DEFAULTS.retryIntervalSeconds,
  };
}

function columnsOf(change: Omit<CarrierChange, 'authPassword'>): Prisma.CarrierUpdateInput {
  const { registration, ...fields } = change;
  return registration === undefined ? fields : { ...fields, ...registrationColumns(registration) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Makes a carrier's PJSIP realtime rows what the identity says: each part present is written, each
// absent one deleted. Asterisk reads endpoints, AORs, auths and identifies on the next request; the
// registration only when told (OutboundRegistrations).
async function writeIdentity(tx: Tx, identity: CarrierIdentity): Promise<void> {
  const { id, endpoint, aor, auth, identify, registration } = identity;
  if (endpoint) await tx.psEndpoint.upsert({ where: { id }, create: endpoint, update: endpoint });
  else await tx.psEndpoint.deleteMany({ where: { id } });
  if (aor) await tx.psAor.upsert({ where: { id }, create: aor, update: aor });
  else await tx.psAor.deleteMany({ where: { id } });
  if (auth) await tx.psAuth.upsert({ where: { id }, create: auth, update: auth });
  else await tx.psAuth.deleteMany({ where: { id } });
  if (identify) await tx.psEndpointIdIp.upsert({ where: { id }, create: identify, update: identify });
  else await tx.psEndpointIdIp.deleteMany({ where: { id } });
  if (registration) await tx.psRegistration.upsert({ where: { id }, create: registration, update: registration });
  else await tx.psRegistration.deleteMany({ where: { id } });
}

async function removeIdentity(tx: Tx, id: string): Promise<void> {
  await writeIdentity(tx, { id, endpoint: null, aor: null, auth: null, identify: null, registration: null });
}

// Carriers and their PJSIP realtime rows. The lookups of the call path go through plain SQL
// (`lookups`: pg-carrier-lookups.ts), off the Prisma client's cost; the rest stays here.
export class PrismaCarrierRepository implements CarrierRepository {
  constructor(
    private readonly db: Database,
    private readonly lookups: CarrierLookups,
  ) {}

  readonly find: CarrierRepository['find'] = (id) => this.lookups.find(id);
  readonly findByEndpoint: CarrierRepository['findByEndpoint'] = (endpointId) => this.lookups.findByEndpoint(endpointId);

  async create(carrier: Omit<Carrier, 'createdAt' | 'updatedAt'>, identity: CarrierIdentity): Promise<Carrier> {
    try {
      return await this.db.$transaction(async (tx) => {
        const { registration, ...fields } = carrier;
        const row = await tx.carrier.create({ data: { ...fields, ...registrationColumns(registration ?? null), authUsername: carrier.authUsername ?? null } });
        await writeIdentity(tx, identity);
        return toCarrier(row);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new CarrierNameTakenError(carrier.name);
      throw error;
    }
  }

  async update(id: string, change: Omit<CarrierChange, 'authPassword'>, identity: (carrier: Carrier) => CarrierIdentity): Promise<Carrier | undefined> {
    if (!UUID.test(id)) return undefined;
    try {
      return await this.db.$transaction(async (tx) => {
        const existing = await tx.carrier.findFirst({ where: { id, deletedAt: null } });
        if (!existing) return undefined;
        const carrier = toCarrier(await tx.carrier.update({ where: { id }, data: columnsOf(change) }));
        await writeIdentity(tx, identity(carrier));
        return carrier;
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new CarrierNameTakenError(String(change.name));
      throw error;
    }
  }

  async list(): Promise<Carrier[]> {
    const rows = await this.db.carrier.findMany({ where: { deletedAt: null }, orderBy: { name: 'asc' } });
    return rows.map(toCarrier);
  }

  async setOutboundProxy(proxy: string | null): Promise<number> {
    return this.db.$executeRaw`UPDATE ps_endpoints SET outbound_proxy = ${proxy} WHERE id IN (SELECT endpoint_id FROM carriers WHERE deleted_at IS NULL) AND outbound_proxy IS DISTINCT FROM ${proxy}`;
  }

  async passwordOf(endpointId: string): Promise<string | undefined> {
    return (await this.db.psAuth.findUnique({ where: { id: endpointId } }))?.password ?? undefined;
  }

  async softDelete(id: string, at: Date): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return this.db.$transaction(async (tx) => {
      const existing = await tx.carrier.findFirst({ where: { id, deletedAt: null } });
      if (!existing) return false;
      // The name is freed for a new carrier; the row stays for call records that name it.
      await tx.carrier.update({ where: { id }, data: { deletedAt: at, enabled: false, name: `${existing.name}#deleted-${at.getTime()}` } });
      await removeIdentity(tx, existing.endpointId);
      return true;
    });
  }
}
