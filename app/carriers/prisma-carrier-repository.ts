import { Prisma } from '../shared/infra/prisma/generated/client';
import { type Database } from '../shared/infra/prisma';
import { type Carrier, CarrierNameTakenError, type NumberFormat, type Transport } from './carrier';
import { type CarrierIdentity } from './carrier-identity';
import { type CarrierRepository } from './ports';

type Tx = Prisma.TransactionClient;

interface CarrierRow {
  id: string;
  name: string;
  endpointId: string;
  host: string;
  port: number;
  transport: string;
  authUsername: string | null;
  numberFormat: string;
  techPrefix: string;
  maxConcurrentCalls: number;
  enabled: boolean;
  inboundMatch: string;
  allowAboveRetail: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const toCarrier = (row: CarrierRow): Carrier => ({
  id: row.id,
  name: row.name,
  endpointId: row.endpointId,
  host: row.host,
  port: row.port,
  transport: row.transport as Transport,
  ...(row.authUsername ? { authUsername: row.authUsername } : {}),
  numberFormat: row.numberFormat as NumberFormat,
  techPrefix: row.techPrefix,
  maxConcurrentCalls: row.maxConcurrentCalls,
  enabled: row.enabled,
  inboundMatch: row.inboundMatch,
  allowAboveRetail: row.allowAboveRetail,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Writes (or rewrites) a carrier's PJSIP realtime rows: Asterisk reads them on the next call.
async function writeIdentity(tx: Tx, identity: CarrierIdentity): Promise<void> {
  const { endpoint, aor, auth, identify } = identity;
  await tx.psEndpoint.upsert({ where: { id: endpoint.id }, create: endpoint, update: endpoint });
  await tx.psAor.upsert({ where: { id: aor.id }, create: aor, update: aor });
  if (auth) await tx.psAuth.upsert({ where: { id: auth.id }, create: auth, update: auth });
  else await tx.psAuth.deleteMany({ where: { id: endpoint.id } });
  await tx.psEndpointIdIp.upsert({ where: { id: identify.id }, create: identify, update: identify });
}

async function removeIdentity(tx: Tx, endpointId: string): Promise<void> {
  await tx.psEndpoint.deleteMany({ where: { id: endpointId } });
  await tx.psAor.deleteMany({ where: { id: endpointId } });
  await tx.psAuth.deleteMany({ where: { id: endpointId } });
  await tx.psEndpointIdIp.deleteMany({ where: { id: endpointId } });
}

export class PrismaCarrierRepository implements CarrierRepository {
  constructor(private readonly db: Database) {}

  async create(carrier: Omit<Carrier, 'createdAt' | 'updatedAt'>, identity: CarrierIdentity): Promise<Carrier> {
    try {
      return await this.db.$transaction(async (tx) => {
        const row = await tx.carrier.create({ data: { ...carrier, authUsername: carrier.authUsername ?? null } });
        await writeIdentity(tx, identity);
        return toCarrier(row);
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new CarrierNameTakenError(carrier.name);
      throw error;
    }
  }

  async update(id: string, change: Omit<Partial<Carrier>, 'id'>, identity: (carrier: Carrier) => CarrierIdentity): Promise<Carrier | undefined> {
    if (!UUID.test(id)) return undefined;
    try {
      return await this.db.$transaction(async (tx) => {
        const existing = await tx.carrier.findFirst({ where: { id, deletedAt: null } });
        if (!existing) return undefined;
        const row = await tx.carrier.update({ where: { id }, data: change });
        const carrier = toCarrier(row);
        if (carrier.enabled) await writeIdentity(tx, identity(carrier));
        // A disabled carrier is no trunk at all for Asterisk: nothing is sent to it or taken from it.
        else await removeIdentity(tx, carrier.endpointId);
        return carrier;
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new CarrierNameTakenError(String(change.name));
      throw error;
    }
  }

  async find(id: string): Promise<Carrier | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = await this.db.carrier.findFirst({ where: { id, deletedAt: null } });
    return row ? toCarrier(row) : undefined;
  }

  async findByEndpoint(endpointId: string): Promise<Carrier | undefined> {
    const row = await this.db.carrier.findFirst({ where: { endpointId, deletedAt: null } });
    return row ? toCarrier(row) : undefined;
  }

  async list(): Promise<Carrier[]> {
    const rows = await this.db.carrier.findMany({ where: { deletedAt: null }, orderBy: { name: 'asc' } });
    return rows.map(toCarrier);
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
