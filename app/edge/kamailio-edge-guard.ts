import { bansOf, countsOf, statsOf } from './ban-records';
import { EdgeRpcError, SipBanNotFoundError } from './errors';
import { type EdgeGuard, type EdgeGuardStats, type EdgeRpc, type FailureCount, type SipBan } from './ports';

// The tables of kamailio/edge-guard.cfg.
const BANS = 'guard_bans';
const SOURCES = 'guard_sources';
const USERS = 'guard_users';
const STATS = 'guard_stats';
// Kamailio's htable.delete answer for a key it does not hold.
const KEY_NOT_FOUND = 404;

// The edge's guard over Kamailio RPC (htable.dump / htable.delete on its htables).
export class KamailioEdgeGuard implements EdgeGuard {
  constructor(
    private readonly rpc: EdgeRpc,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // A ban past its end is no longer applied but stays in the table until the edge's expiry timer
  // (every 2 s) removes it: it is left out here.
  async listBans(): Promise<SipBan[]> {
    const now = this.now().getTime();
    return bansOf(await this.rpc.call('htable.dump', [BANS])).filter((ban) => ban.until.getTime() > now);
  }

  async liftBan(address: string): Promise<void> {
    if (!(await this.deleteKey(BANS, address))) throw new SipBanNotFoundError(address);
    // The address starts again from no failures (else its next wrong password bans it at once).
    await this.deleteKey(SOURCES, address);
  }

  async failuresBySource(): Promise<FailureCount[]> {
    return countsOf(await this.rpc.call('htable.dump', [SOURCES]));
  }

  async failuresByUsername(): Promise<FailureCount[]> {
    return countsOf(await this.rpc.call('htable.dump', [USERS]));
  }

  async stats(): Promise<EdgeGuardStats> {
    return statsOf(await this.rpc.call('htable.dump', [STATS]));
  }

  // Whether the key was there.
  private async deleteKey(table: string, key: string): Promise<boolean> {
    try {
      await this.rpc.call('htable.delete', [table, key]);
      return true;
    } catch (error) {
      if (error instanceof EdgeRpcError && error.rpcCode === KEY_NOT_FOUND) return false;
      throw error;
    }
  }
}
