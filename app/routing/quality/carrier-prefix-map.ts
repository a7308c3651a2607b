// A map by carrier, then prefix. Two lookups with strings the caller already has (a carrier's id,
// the destination's prefix: their hashes are computed once and cached by V8) instead of one with
// a key concatenated per lookup, which must be flattened and hashed every time: the routing hot path.
export class CarrierPrefixMap<T> {
  private readonly byCarrier = new Map<string, Map<string, T>>();

  get(carrierId: string, prefix: string): T | undefined {
    return this.byCarrier.get(carrierId)?.get(prefix);
  }

  set(carrierId: string, prefix: string, value: T): void {
    let byPrefix = this.byCarrier.get(carrierId);
    if (!byPrefix) this.byCarrier.set(carrierId, (byPrefix = new Map<string, T>()));
    byPrefix.set(prefix, value);
  }

  // The value there, created by `create` when missing.
  upsert(carrierId: string, prefix: string, create: () => T): T {
    let value = this.get(carrierId, prefix);
    if (value === undefined) this.set(carrierId, prefix, (value = create()));
    return value;
  }

  delete(carrierId: string, prefix: string): void {
    const byPrefix = this.byCarrier.get(carrierId);
    if (!byPrefix) return;
    byPrefix.delete(prefix);
    if (byPrefix.size === 0) this.byCarrier.delete(carrierId);
  }

  *entries(): IterableIterator<[string, string, T]> {
    for (const [carrierId, byPrefix] of this.byCarrier) for (const [prefix, value] of byPrefix) yield [carrierId, prefix, value];
  }
}
