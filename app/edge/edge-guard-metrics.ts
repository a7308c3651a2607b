import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EdgeGuard, type EdgeGuardStats, type SipBan } from './ports';

interface Snapshot {
  up: boolean;
  bans: SipBan[];
  stats?: EdgeGuardStats;
  usernamesFailing: number;
}

// One read of the edge per scrape, shared by every series (the scrape collects them at once).
const SNAPSHOT_REUSE_MS = 1000;

const EVENTS: Record<keyof EdgeGuardStats, string> = {
  bans: 'ban',
  lifts: 'lift_expired',
  authFailures: 'auth_failure',
  scannerDrops: 'scanner',
  floods: 'flood',
  unknownDomain: 'unknown_domain',
  dropped: 'dropped_while_banned',
};

export interface EdgeGuardMetrics {
  manualLifts: Counter;
}

// The edge's bans and counters in /metrics, read from the edge at each scrape.
export function registerEdgeGuardMetrics(guard: EdgeGuard, metrics: Registry, log: Logger): EdgeGuardMetrics {
  let cached: { at: number; snapshot: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    if (cached && Date.now() - cached.at < SNAPSHOT_REUSE_MS) return cached.snapshot;
    const read = Promise.all([guard.listBans(), guard.stats(), guard.failuresByUsername()]).then(
      ([bans, stats, usernames]): Snapshot => ({ up: true, bans, stats, usernamesFailing: usernames.length }),
      (error: unknown): Snapshot => {
        log.warn('edge guard figures not read', { error: errorMessage(error) });
        return { up: false, bans: [], usernamesFailing: 0 };
      },
    );
    cached = { at: Date.now(), snapshot: read };
    return read;
  };
  new Gauge({
    name: 'edge_guard_rpc_up',
    help: "Whether the SIP edge's RPC answered this scrape (1) or not (0)",
    registers: [metrics],
    async collect() {
      this.set((await snapshot()).up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'edge_guard_bans_active',
    help: 'Source addresses the SIP edge bans now, by reason (auth, flood, scanner)',
    labelNames: ['reason'],
    registers: [metrics],
    async collect() {
      const { bans, up } = await snapshot();
      this.reset();
      if (!up) return;
      for (const reason of ['auth', 'flood', 'scanner'] as const) this.set({ reason }, bans.filter((ban) => ban.reason === reason).length);
    },
  });
  new Gauge({
    name: 'edge_guard_events',
    help: 'Attack events the SIP edge counted since it started, by event (ban, lift_expired, auth_failure, scanner, flood, unknown_domain, dropped_while_banned)',
    labelNames: ['event'],
    registers: [metrics],
    async collect() {
      const { stats } = await snapshot();
      this.reset();
      if (!stats) return;
      for (const [field, event] of Object.entries(EVENTS)) this.set({ event }, stats[field as keyof EdgeGuardStats]);
    },
  });
  new Gauge({
    name: 'edge_guard_usernames_failing',
    help: 'Usernames with failed authentications at the SIP edge in the current window (never banned: counted only)',
    registers: [metrics],
    async collect() {
      this.set((await snapshot()).usernamesFailing);
    },
  });
  const manualLifts = new Counter({ name: 'edge_guard_manual_lifts_total', help: 'Bans lifted early through DELETE /v1/sip-bans/{address}', registers: [metrics] });
  return { manualLifts };
}
