// What the edge (the Kamailio SIP proxy in front of the switch nodes) offers the app: its bans of
// source addresses and its attack counters. Implemented over the edge's RPC (kamailio-edge-guard.ts).

export type SipBanReason = 'auth' | 'flood' | 'scanner';

export interface SipBan {
  // The banned source address (IPv4 or IPv6, as the edge saw it).
  address: string;
  reason: SipBanReason;
  // Failed authentications that led to it (0 for a flood or a scanner).
  failures: number;
  // When the edge lifts it on its own.
  until: Date;
}

// Failed digest authentications counted in the current window, by source address or by username.
export interface FailureCount {
  key: string;
  failures: number;
}

// The edge's counters since it started (kamailio/edge-guard.cfg guard_stats).
export interface EdgeGuardStats {
  bans: number;
  lifts: number;
  authFailures: number;
  scannerDrops: number;
  floods: number;
  unknownDomain: number;
  dropped: number;
}

export interface EdgeGuard {
  listBans(): Promise<SipBan[]>;
  // Lifts one ban now; SipBanNotFoundError when the address is not banned.
  liftBan(address: string): Promise<void>;
  failuresBySource(): Promise<FailureCount[]>;
  failuresByUsername(): Promise<FailureCount[]>;
  stats(): Promise<EdgeGuardStats>;
}

// One remote procedure call to the edge: its result, or an EdgeRpcError (code and message).
export interface EdgeRpc {
  call(method: string, params: Array<string | number>): Promise<unknown>;
}

// The bans the edge keeps for its restarts (PostgreSQL edge_bans, written by the edge): a ban lifted
// by an operator is forgotten there too, or the edge's next start would restore it.
export interface StoredBans {
  forget(address: string): Promise<void>;
}
