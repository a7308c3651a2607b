import { type Registry } from 'prom-client';
import { type Logger } from '../shared/infra/logger';
import { type SqlQueries } from '../shared/infra/sql';
import { registerEdgeGuardMetrics } from './edge-guard-metrics';
import { KamailioEdgeGuard } from './kamailio-edge-guard';
import { PgStoredBans } from './pg-stored-bans';
import { SipBans } from './sip-bans';
import { UdpJsonRpc, udpTargetOf } from './udp-json-rpc';

export interface EdgeModuleOptions {
  // EDGE_RPC_URL: udp://host:port of the edge's JSON-RPC.
  rpcUrl: string;
  rpcTimeoutMs: number;
  metrics: Registry;
  log: Logger;
  // The database where the edge keeps its bans across restarts (a lift is removed there too).
  sql?: SqlQueries;
}

// The SIP edge as the app sees it: its bans (listed, lifted) and attack counters in /metrics.
export function createEdgeModule(options: EdgeModuleOptions): { bans: SipBans } {
  const log = options.log.child({ module: 'edge' });
  const guard = new KamailioEdgeGuard(new UdpJsonRpc({ ...udpTargetOf(options.rpcUrl), timeoutMs: options.rpcTimeoutMs }));
  const { manualLifts } = registerEdgeGuardMetrics(guard, options.metrics, log);
  return { bans: new SipBans(guard, log, () => manualLifts.inc(), options.sql && new PgStoredBans(options.sql)) };
}

export { SipBans, type SipBansView } from './sip-bans';
export { SipBanNotFoundError, EdgeUnreachableError, EdgeRpcError } from './errors';
export { type EdgeGuard, type StoredBans, type SipBan, type SipBanReason, type FailureCount, type EdgeGuardStats, type EdgeRpc } from './ports';
export { KamailioEdgeGuard } from './kamailio-edge-guard';
