import { InvalidRateFileError, minorUnitDigits, type RateDeckSource, type RateInput, type RateRowError, readRateDeck, type RateTable } from '../rating';
import { type Logger } from '../shared/infra/logger';
import { CarrierNotFoundError } from './errors';
import { type CarrierStore } from './ports';
import { type LiveRoutingState } from './routing-state';

export interface CarrierRateImport {
  carrierId: string;
  // Rates in the carrier's deck now: the file replaced the previous deck.
  imported: number;
  // The deck's version: every instance reloads a deck whose version changed.
  version: number;
}

export interface RateImportSettings {
  carrierCurrency: string;
  maxRateFileBytes: number;
  maxRateRows: number;
  rateImportTimeoutMs: number;
}

function* ratesOf(table: RateTable): Generator<RateInput> {
  for (const { tag: _tag, timeFromMinute: _from, timeToMinute: _to, ...rate } of table.entries()) yield rate;
}

// A carrier's rate deck from CSV (prefix,rate_per_minute,connect_fee,first_increment,next_increment),
// with app/rating's reader: the file is read and checked completely first (every bad row reported
// with its line, nothing imported), then it replaces the whole deck in one transaction. The table
// the reader built is the deck this instance routes with from then on.
export class CarrierRates {
  constructor(
    private readonly store: CarrierStore,
    private readonly state: LiveRoutingState,
    private readonly settings: RateImportSettings,
    private readonly log: Logger,
  ) {}

  async importRates(carrierId: string, source: RateDeckSource): Promise<CarrierRateImport> {
    const carrier = await this.store.findCarrier(carrierId);
    if (!carrier || carrier.deleted) throw new CarrierNotFoundError(carrierId);
    // Carrier decks have no time-of-day bands (carrier_rates has no columns for them).
    const banded: RateRowError[] = [];
    const deck = await readRateDeck(source, {
      minorUnitDigits: minorUnitDigits(this.settings.carrierCurrency),
      maxBytes: this.settings.maxRateFileBytes,
      maxRows: this.settings.maxRateRows,
      onRow: (rate) => {
        if (rate.timeFromMinute !== undefined) banded.push({ line: rate.tag, field: 'time_from', message: 'carrier rates have no time-of-day bands: leave time_from and time_to empty' });
      },
    });
    if (!deck.ok) {
      const errors = deck.reason === 'too_large' ? deck.errors : [...deck.errors, ...banded].sort((a, b) => a.line - b.line).slice(0, 1000);
      throw new InvalidRateFileError(deck.reason, errors, deck.errorCount + (deck.reason === 'too_large' ? 0 : banded.length));
    }
    if (banded.length > 0) throw new InvalidRateFileError('invalid_rows', banded.slice(0, 1000), banded.length);
    const version = await this.store.replaceDeck(carrierId, ratesOf(deck.table), { timeoutMs: this.settings.rateImportTimeoutMs });
    if (!version) throw new CarrierNotFoundError(carrierId);
    this.state.installDeck(carrierId, deck.table, version.version);
    this.log.info('carrier rate deck imported', { carrierId, rates: version.rates, version: version.version });
    return { carrierId, imported: version.rates, version: version.version };
  }
}
