import { expect } from 'chai';
import { Registry } from 'prom-client';
import { EdgeUnreachableError, type EdgeGuard } from '../../../app/edge';
import { registerEdgeGuardMetrics } from '../../../app/edge/edge-guard-metrics';
import { silentLogger } from '../../../app/shared/infra/logger';

const until = new Date(Date.now() + 60_000);
const guard = (reachable: boolean): EdgeGuard => {
  const down = (): Promise<never> => Promise.reject(new EdgeUnreachableError('udp://edge:5090'));
  return {
    listBans: () => (reachable ? Promise.resolve([{ address: '203.0.113.7', reason: 'auth', failures: 10, until }, { address: '203.0.113.8', reason: 'scanner', failures: 0, until }]) : down()),
    liftBan: () => Promise.resolve(),
    failuresBySource: () => Promise.resolve([]),
    failuresByUsername: () => (reachable ? Promise.resolve([{ key: 'alice', failures: 3 }]) : down()),
    stats: () => (reachable ? Promise.resolve({ bans: 5, lifts: 3, authFailures: 52, scannerDrops: 1, floods: 1, unknownDomain: 2, dropped: 40 }) : down()),
  };
};

describe('edge: attack figures in /metrics', function () {
  it("given a reachable edge, then the active bans by reason, the edge's counters and the failing usernames are exported", async function () {
    const registry = new Registry();
    registerEdgeGuardMetrics(guard(true), registry, silentLogger);
    const text = await registry.metrics();
    expect(text).to.include('edge_guard_rpc_up 1');
    expect(text).to.include('edge_guard_bans_active{reason="auth"} 1').and.include('edge_guard_bans_active{reason="scanner"} 1').and.include('edge_guard_bans_active{reason="flood"} 0');
    expect(text).to.include('edge_guard_events{event="ban"} 5').and.include('edge_guard_events{event="auth_failure"} 52').and.include('edge_guard_events{event="lift_expired"} 3');
    expect(text).to.include('edge_guard_usernames_failing 1');
  });

  it('given an unreachable edge, then the scrape still succeeds, says the edge is down, and shows no made-up figures', async function () {
    const registry = new Registry();
    const { manualLifts } = registerEdgeGuardMetrics(guard(false), registry, silentLogger);
    manualLifts.inc();
    const text = await registry.metrics();
    expect(text).to.include('edge_guard_rpc_up 0');
    expect(text).to.not.match(/edge_guard_bans_active\{/);
    expect(text).to.not.match(/edge_guard_events\{/);
    expect(text).to.include('edge_guard_manual_lifts_total 1');
  });
});
