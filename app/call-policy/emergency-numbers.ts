// 112 and 911 reach the emergency services from anywhere (GSM standard; most networks route both).
const UNIVERSAL = new Set(['112', '911']);

export interface EmergencyMatch {
  // The caller's country (ISO 3166 alpha-2), whose emergency carriers take the call.
  country: string;
  // The number sent to them: the first emergency number of that country (911 dialled in Germany is 112).
  number: string;
  dialed: string;
}

// The table of emergency and short numbers per country. A number is read in the caller's own
// country (999 is an emergency number for a UK caller only), 112 and 911 from anywhere.
export class EmergencyNumbers {
  private readonly table: ReadonlyMap<string, readonly string[]>;

  constructor(table: Record<string, readonly string[]>) {
    this.table = new Map(Object.entries(table).filter(([, numbers]) => numbers.length > 0));
  }

  match(dialed: string, callerCountry: string | undefined): EmergencyMatch | undefined {
    const own = callerCountry ? this.table.get(callerCountry) : undefined;
    if (own?.includes(dialed)) return { country: callerCountry ?? '', number: own[0] ?? dialed, dialed };
    if (!UNIVERSAL.has(dialed)) return undefined;
    return { country: callerCountry ?? 'ZZ', number: own?.[0] ?? dialed, dialed };
  }

  numbersOf(country: string): readonly string[] {
    return this.table.get(country) ?? [];
  }
}
