import { type Registry } from 'prom-client';
import { type Logger } from '../shared/infra/logger';
import { registerEdgeGuardMetrics } from './edge-guard-metrics';
import { KamailioEdgeGuard } from './kamailio-edge-guard';
import { SipBans } from './sip-bans';
import { UdpJsonRpc, udpTargetOf } from './udp-json-rpc';

export interface EdgeModuleOptions {
  // EDGE_RPC_URL: udp://host:port of the edge's JSON-RPC.
  rpcUrl: string;
  rpcTimeoutMs: number;
  metrics: Registry;
  log: Logger;
}

// The SIP edge as the app sees it: its bans (listed, lifted) and attack counters in /metrics.
export function createEdgeModule(options: EdgeModuleOptions): { bans: SipBans } {
  const log = options.log.child({ module: 'edge' });
  const guard = new KamailioEdgeGuard(new UdpJsonRpc({ ...udpTargetOf(options.rpcUrl), timeoutMs: options.rpcTimeoutMs }));
  const { manualLifts } = registerEdgeGuardMetrics(guard, options.metrics, log);
  return { bans: new SipBans(guard, log, () => manualLifts.inc()) };
}

export { SipBans, type SipBansView } from './sip-bans';
export { SipBanNotFoundError, EdgeUnreachableError, EdgeRpcError } from './errors';
export { type EdgeGuard, type SipBan, type SipBanReason, type FailureCount, type EdgeGuardStats, type EdgeRpc } from './ports';
export { KamailioEdgeGuard } from './kamailio-edge-guard';
