import { type RateInput } from '../rating';
import { type Database } from '../shared/infra/prisma';
import { type CarrierStore, type DeckVersion } from './ports';
import { type CarrierInfo } from './route-engine';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Rows read or written per statement. Inserts go 2,000 at a time: the Prisma client keeps the
// parameters of its last statements, so larger batches kept 70-120 MB more heap alive after an
// import (measured with bench/rate-import: 500,000 rows, same speed at 2,000 and 10,000).
const PAGE_ROWS = 50_000;
const BATCH_ROWS = 2_000;
const DEFAULT_INCREMENT_SECONDS = 60;

type CarrierRow = { id: string; name: string; enabled: boolean; deletedAt: Date | null; allowAboveRetail: boolean };
const toCarrier = (row: CarrierRow): CarrierInfo => ({ id: row.id, name: row.name, enabled: row.enabled, deleted: row.deletedAt !== null, allowAboveRetail: row.allowAboveRetail });
const CARRIER_FIELDS = { id: true, name: true, enabled: true, deletedAt: true, allowAboveRetail: true } as const;

type DeckRow = { prefix: string; rate: bigint; fee: bigint; first: number; next: number };

// Carriers (read only: the carriers module owns them) and their rate decks (carrier_rates, written
// here by the import, and routing_deck_versions).
export class PrismaCarrierStore implements CarrierStore {
  constructor(private readonly db: Database) {}

  async listCarriers(): Promise<CarrierInfo[]> {
    return (await this.db.carrier.findMany({ select: CARRIER_FIELDS })).map(toCarrier);
  }

  async findCarrier(carrierId: string): Promise<CarrierInfo | undefined> {
    if (!UUID.test(carrierId)) return undefined;
    const row = await this.db.carrier.findUnique({ where: { id: carrierId }, select: CARRIER_FIELDS });
    return row ? toCarrier(row) : undefined;
  }

  async deckVersions(): Promise<DeckVersion[]> {
    return (await this.db.routingDeckVersion.findMany()).map((row) => ({ carrierId: row.carrierId, version: row.version, rates: row.rates }));
  }

  // Keyset pages over the (carrier_id, prefix) unique index.
  async readDeck(carrierId: string, onRate: (rate: RateInput) => void): Promise<number> {
    let after = '';
    let total = 0;
    for (;;) {
      const rows = await this.db.$queryRaw<DeckRow[]>`
        SELECT prefix, rate_per_minute_micros AS rate, connect_fee_minor AS fee, first_increment_seconds AS first, next_increment_seconds AS next
        FROM carrier_rates WHERE carrier_id = ${carrierId}::uuid AND prefix > ${after} ORDER BY prefix LIMIT ${PAGE_ROWS}`;
      for (const row of rows) {
        onRate({ prefix: row.prefix, ratePerMinuteMicros: BigInt(row.rate), connectFeeMinor: BigInt(row.fee), firstIncrementSeconds: row.first, nextIncrementSeconds: row.next });
      }
      total += rows.length;
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE_ROWS) return total;
      after = last.prefix;
    }
  }

  async replaceDeck(carrierId: string, rates: Iterable<RateInput>, options: { timeoutMs: number }): Promise<DeckVersion | undefined> {
    if (!UUID.test(carrierId)) return undefined;
    return this.db.$transaction(
      async (tx) => {
        // One import of a carrier at a time; a deleted carrier gets no deck.
        const [carrier] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text AS id FROM carriers WHERE id = ${carrierId}::uuid AND deleted_at IS NULL FOR UPDATE`;
        if (!carrier) return undefined;
        await tx.carrierRate.deleteMany({ where: { carrierId } });
        let written = 0;
        let batch: RateInput[] = [];
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          const b = batch;
          batch = [];
          written += await tx.$executeRaw`
            INSERT INTO carrier_rates (carrier_id, prefix, rate_per_minute_micros, connect_fee_minor, first_increment_seconds, next_increment_seconds)
            SELECT ${carrierId}::uuid, * FROM unnest(${b.map((r) => r.prefix)}::text[], ${b.map((r) => r.ratePerMinuteMicros.toString())}::bigint[],
              ${b.map((r) => r.connectFeeMinor.toString())}::bigint[], ${b.map((r) => r.firstIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS)}::int[],
              ${b.map((r) => r.nextIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS)}::int[])`;
        };
        for (const rate of rates) {
          batch.push(rate);
          if (batch.length >= BATCH_ROWS) await flush();
        }
        await flush();
        const [version] = await tx.$queryRaw<Array<{ version: number; rates: number }>>`
          INSERT INTO routing_deck_versions (carrier_id, version, rates, imported_at) VALUES (${carrierId}::uuid, 1, ${written}, now())
          ON CONFLICT (carrier_id) DO UPDATE SET version = routing_deck_versions.version + 1, rates = EXCLUDED.rates, imported_at = EXCLUDED.imported_at
          RETURNING version, rates`;
        if (!version) throw new Error('the deck version was not written');
        return { carrierId, version: version.version, rates: version.rates };
      },
      { timeout: options.timeoutMs, maxWait: 10_000 },
    );
  }
}
