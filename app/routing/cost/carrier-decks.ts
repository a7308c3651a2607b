import { type RateMatch, type RateTable } from '../../rating';
import { type Tariff } from './tariff-cost';

// The deck's own defaults when a row leaves an increment empty (the carrier_rates column defaults).
const DEFAULT_INCREMENT_SECONDS = 60;

export interface DeckMatch extends Tariff {
  // The deck's longest prefix of the destination.
  prefix: string;
}

export interface LoadedDeck {
  table: RateTable;
  // routing_deck_versions.version it was loaded at (0: no import recorded).
  version: number;
}

// Matches kept per deck (rows looked up recently): routing reads a few popular prefixes over and
// over, and building a match (two BigInt reads, a string, an object) costs more than the lookup.
const MAX_CACHED_MATCHES = 50_000;

interface InstalledDeck extends LoadedDeck {
  // By row (an array indexed by row, not a Map: no hashing on the hot path); `cached` counts them.
  matches: Array<Readonly<DeckMatch> | undefined>;
  cached: number;
}

// A packed array of `size` holes (V8 keeps a `new Array(size)` this large as a dictionary).
function emptyRows(size: number): Array<Readonly<DeckMatch> | undefined> {
  const rows: Array<Readonly<DeckMatch> | undefined> = [];
  for (let row = 0; row < size; row += 1) rows.push(undefined);
  return rows;
}

// Every carrier's rate deck, in memory (app/rating's typed-array prefix tables): one longest-prefix
// lookup per carrier per routing decision, no database round trip.
export class CarrierDecks {
  private readonly decks = new Map<string, InstalledDeck>();

  install(carrierId: string, deck: LoadedDeck): void {
    this.decks.set(carrierId, { ...deck, matches: emptyRows(deck.table.size), cached: 0 });
  }

  remove(carrierId: string): void {
    this.decks.delete(carrierId);
  }

  versionOf(carrierId: string): number | undefined {
    return this.decks.get(carrierId)?.version;
  }

  carriers(): string[] {
    return [...this.decks.keys()];
  }

  sizeOf(carrierId: string): number {
    return this.decks.get(carrierId)?.table.size ?? 0;
  }

  get totalRates(): number {
    let total = 0;
    for (const deck of this.decks.values()) total += deck.table.size;
    return total;
  }

  get byteLength(): number {
    let total = 0;
    for (const deck of this.decks.values()) total += deck.table.byteLength;
    return total;
  }

  // The carrier's price for an E.164 destination; undefined when its deck does not cover it.
  // Shared between lookups: read only.
  lookup(carrierId: string, destination: string): Readonly<DeckMatch> | undefined {
    const deck = this.decks.get(carrierId);
    if (!deck) return undefined;
    const row = deck.table.lookupRow(destination);
    if (row < 0) return undefined;
    let match = deck.matches[row];
    if (!match) {
      // Dropping them all when full keeps this simple and bounded; the popular rows come back at once.
      if (deck.cached >= MAX_CACHED_MATCHES) {
        deck.matches.fill(undefined);
        deck.cached = 0;
      }
      match = toDeckMatch(deck.table.matchAt(row));
      deck.matches[row] = match;
      deck.cached += 1;
    }
    return match;
  }
}

function toDeckMatch(match: RateMatch): DeckMatch {
  return {
    prefix: match.prefix,
    ratePerMinuteMicros: match.ratePerMinuteMicros,
    connectFeeMinor: match.connectFeeMinor,
    firstIncrementSeconds: match.firstIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS,
    nextIncrementSeconds: match.nextIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS,
  };
}
