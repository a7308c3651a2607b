import { type EdgeGuardStats, type FailureCount, type SipBan, type SipBanReason } from './ports';

// Kamailio's htable.dump result: one entry per hash slot in use, each with its items.
export interface HtableItem {
  name: string;
  value: string | number;
}

// Every item of an htable.dump answer; anything that is not one is left out.
export function htableItems(result: unknown): HtableItem[] {
  if (!Array.isArray(result)) return [];
  const items: HtableItem[] = [];
  for (const entry of result as Array<{ slot?: unknown }>) {
    if (!entry || !Array.isArray(entry.slot)) continue;
    for (const item of entry.slot as Array<Partial<HtableItem>>) {
      if (typeof item.name === 'string' && (typeof item.value === 'string' || typeof item.value === 'number')) items.push({ name: item.name, value: item.value });
    }
  }
  return items;
}

const REASONS: readonly SipBanReason[] = ['auth', 'flood', 'scanner'];

// A ban as kamailio/edge-guard.cfg writes it: "until=<unix s>;reason=<r>;failures=<n>".
export function parseBan(address: string, value: string | number): SipBan | undefined {
  const fields = new Map(
    String(value)
      .split(';')
      .map((part) => part.split('=', 2) as [string, string | undefined]),
  );
  const until = Number(fields.get('until'));
  const reason = fields.get('reason') as SipBanReason | undefined;
  const failures = Number(fields.get('failures') ?? 0);
  if (!Number.isFinite(until) || until <= 0 || !reason || !REASONS.includes(reason) || !Number.isInteger(failures)) return undefined;
  return { address, reason, failures, until: new Date(until * 1000) };
}

export function bansOf(result: unknown): SipBan[] {
  return htableItems(result)
    .map((item) => parseBan(item.name, item.value))
    .filter((ban): ban is SipBan => ban !== undefined)
    .sort((a, b) => a.address.localeCompare(b.address));
}

export function countsOf(result: unknown): FailureCount[] {
  return htableItems(result)
    .map((item) => ({ key: item.name, failures: Number(item.value) }))
    .filter((count) => Number.isInteger(count.failures) && count.failures > 0)
    .sort((a, b) => b.failures - a.failures || a.key.localeCompare(b.key));
}

const STAT_KEYS: Record<keyof EdgeGuardStats, string> = {
  bans: 'bans',
  lifts: 'lifts',
  authFailures: 'auth_failures',
  scannerDrops: 'scanner_drops',
  floods: 'floods',
  unknownDomain: 'unknown_domain',
  dropped: 'dropped',
};

export function statsOf(result: unknown): EdgeGuardStats {
  const values = new Map(htableItems(result).map((item) => [item.name, Number(item.value)]));
  const stat = (key: string): number => {
    const value = values.get(key);
    return value !== undefined && Number.isFinite(value) ? value : 0;
  };
  return Object.fromEntries(Object.entries(STAT_KEYS).map(([field, key]) => [field, stat(key)])) as unknown as EdgeGuardStats;
}
