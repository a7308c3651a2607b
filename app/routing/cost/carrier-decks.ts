import { type RateTable } from '../../rating';
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

// Every carrier's rate deck, in memory (app/rating's typed-array prefix tables): one longest-prefix
// lookup per carrier per routing decision, no database round trip.
export class CarrierDecks {
  private readonly decks = new Map<string, LoadedDeck>();

  install(carrierId: string, deck: LoadedDeck): void {
    this.decks.set(carrierId, deck);
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
  lookup(carrierId: string, destination: string): DeckMatch | undefined {
    const match = this.decks.get(carrierId)?.table.lookup(destination);
    if (!match) return undefined;
    return {
      prefix: match.prefix,
      ratePerMinuteMicros: match.ratePerMinuteMicros,
      connectFeeMinor: match.connectFeeMinor,
      firstIncrementSeconds: match.firstIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS,
      nextIncrementSeconds: match.nextIncrementSeconds ?? DEFAULT_INCREMENT_SECONDS,
    };
  }
}
