import { type RateTable, RateTableBuilder } from '../rating';
import { type Clock, errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { CarrierDecks } from './cost/carrier-decks';
import { type CarrierStore, type QualityStore } from './ports';
import { type MinuteRow, QualityBook } from './quality/quality-book';
import { type CarrierInfo, type RoutingState } from './route-engine';

// Rows another instance's consumer wrote are read again for this long after their change time:
// a transaction that started earlier may commit later with an earlier updated_at.
const MINUTES_OVERLAP_MS = 60_000;

export interface RoutingStateSettings {
  halfLifeMs: number;
  // The recent window keeps minutes this old (after that they weigh next to nothing).
  horizonMs: number;
}

// What the routing decisions read, in memory: carriers and their flags, every deck, and the merged
// quality figures. Loaded at start; kept current by refresh() (every instance) and by this
// instance's own imports and consumer.
export class LiveRoutingState implements RoutingState {
  readonly decks = new CarrierDecks();
  readonly book: QualityBook;
  private carrierList: CarrierInfo[] = [];
  private minutesCursor: number | undefined;

  constructor(
    private readonly carrierStore: CarrierStore,
    private readonly qualityStore: QualityStore,
    private readonly clock: Clock,
    private readonly settings: RoutingStateSettings,
    private readonly log: Logger,
  ) {
    this.book = new QualityBook(settings.halfLifeMs, settings.horizonMs);
  }

  carriers(): readonly CarrierInfo[] {
    return this.carrierList;
  }

  async load(): Promise<void> {
    const started = this.clock.now().getTime();
    await this.refreshCarriers();
    await this.refreshDecks();
    const batch = await this.qualityStore.loadBatch();
    const watermark = batch?.watermark.getTime() ?? Number.NEGATIVE_INFINITY;
    this.book.setBatch({ watermark, rows: batch?.rows ?? [] });
    // The speed minutes after the watermark complete the history; those of the recent window feed it.
    const from = Math.max(0, Math.min(watermark, started - this.settings.horizonMs));
    const minutes = await this.qualityStore.minutesFrom(new Date(from));
    for (const row of minutes) this.book.putMinute(row);
    this.minutesCursor = started - MINUTES_OVERLAP_MS;
    this.log.info('routing state loaded', {
      carriers: this.carrierList.length,
      rates: this.decks.totalRates,
      batchRows: batch?.rows.length ?? 0,
      watermark: batch?.watermark.toISOString(),
      speedMinutes: minutes.length,
      ms: this.clock.now().getTime() - started,
    });
  }

  // Picks up what other instances and the carriers module changed: carrier flags, imported decks,
  // a new batch, the speed minutes their consumers wrote.
  async refresh(): Promise<void> {
    await this.refreshCarriers();
    await this.refreshDecks();
    const run = await this.qualityStore.batchRun();
    if (run && run.watermark.getTime() !== this.book.batchWatermark) await this.reloadBatch();
    await this.pullMinutes();
    this.book.prune(this.clock.now().getTime());
  }

  async reloadBatch(): Promise<void> {
    const batch = await this.qualityStore.loadBatch();
    if (batch) this.book.setBatch({ watermark: batch.watermark.getTime(), rows: batch.rows });
  }

  // This instance's consumer committed these minute rows (their new sums).
  putMinutes(rows: readonly MinuteRow[]): void {
    for (const row of rows) this.book.putMinute(row);
  }

  installDeck(carrierId: string, table: RateTable, version: number): void {
    this.decks.install(carrierId, { table, version });
  }

  private async refreshCarriers(): Promise<void> {
    this.carrierList = (await this.carrierStore.listCarriers()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private async refreshDecks(): Promise<void> {
    const versions = new Map((await this.carrierStore.deckVersions()).map((v) => [v.carrierId, v.version]));
    const live = new Set<string>();
    for (const carrier of this.carrierList) {
      if (carrier.deleted) continue;
      live.add(carrier.id);
      const wanted = versions.get(carrier.id) ?? 0;
      if (this.decks.versionOf(carrier.id) === wanted) continue;
      try {
        await this.loadDeck(carrier.id, wanted);
      } catch (error) {
        // The previous deck (if any) stays in use; the next refresh tries again.
        this.log.error('carrier deck could not be loaded', { carrierId: carrier.id, version: wanted, error: errorMessage(error) });
      }
    }
    for (const carrierId of this.decks.carriers()) if (!live.has(carrierId)) this.decks.remove(carrierId);
  }

  private async loadDeck(carrierId: string, version: number): Promise<void> {
    const started = Date.now();
    const builder = new RateTableBuilder();
    const rows = await this.carrierStore.readDeck(carrierId, (rate) => builder.add(rate));
    this.decks.install(carrierId, { table: builder.build().table, version });
    this.log.info('carrier deck loaded', { carrierId, version, rates: rows, ms: Date.now() - started });
  }

  private async pullMinutes(): Promise<void> {
    const since = this.minutesCursor ?? this.clock.now().getTime() - MINUTES_OVERLAP_MS;
    const { rows, latest } = await this.qualityStore.minutesChangedSince(new Date(since));
    for (const row of rows) this.book.putMinute(row);
    if (latest) this.minutesCursor = Math.max(since, latest.getTime() - MINUTES_OVERLAP_MS);
  }
}
