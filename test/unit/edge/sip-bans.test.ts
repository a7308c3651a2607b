import { expect } from 'chai';
import { type EdgeGuard, SipBanNotFoundError, SipBans, type StoredBans } from '../../../app/edge';
import { type Logger } from '../../../app/shared/infra/logger';

// An operator's lift: at the edge (its RPC) and in the bans it keeps for its restarts.
class Guard implements EdgeGuard {
  banned = new Set(['203.0.113.7']);
  listBans: EdgeGuard['listBans'] = () => Promise.resolve([]);
  liftBan = (address: string): Promise<void> => (this.banned.delete(address) ? Promise.resolve() : Promise.reject(new SipBanNotFoundError(address)));
  failuresBySource: EdgeGuard['failuresBySource'] = () => Promise.resolve([]);
  failuresByUsername: EdgeGuard['failuresByUsername'] = () => Promise.resolve([]);
  stats: EdgeGuard['stats'] = () => Promise.resolve({ bans: 0, lifts: 0, authFailures: 0, scannerDrops: 0, floods: 0, unknownDomain: 0, dropped: 0 });
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = { warnings, error: () => undefined, warn: (message) => void warnings.push(message), info: () => undefined, debug: () => undefined, child: () => log };
  return log;
}

describe('edge: lifting a SIP ban', function () {
  it('given a stored ban, when an operator lifts it, then the edge lifts it and the store forgets it', async function () {
    const forgotten: string[] = [];
    const stored: StoredBans = { forget: (address) => Promise.resolve(void forgotten.push(address)) };
    const guard = new Guard();
    await new SipBans(guard, recordingLog(), () => undefined, stored).lift('203.0.113.7', 'admin');
    expect(guard.banned.has('203.0.113.7')).to.equal(false);
    expect(forgotten).to.deep.equal(['203.0.113.7']);
  });

  it('given a store that fails, when an operator lifts a ban, then the lift stands, counted, and the failure is logged', async function () {
    const log = recordingLog();
    let lifts = 0;
    const stored: StoredBans = { forget: () => Promise.reject(new Error('database down')) };
    await new SipBans(new Guard(), log, () => (lifts += 1), stored).lift('203.0.113.7', 'admin');
    expect(lifts).to.equal(1);
    expect(log.warnings).to.have.length(1);
  });

  it('given an address the edge does not ban, then SipBanNotFoundError and the store is not touched', async function () {
    const forgotten: string[] = [];
    const stored: StoredBans = { forget: (address) => Promise.resolve(void forgotten.push(address)) };
    let error: unknown;
    await new SipBans(new Guard(), recordingLog(), () => undefined, stored).lift('203.0.113.9', 'admin').catch((caught: unknown) => (error = caught));
    expect(error).to.be.instanceOf(SipBanNotFoundError);
    expect(forgotten).to.deep.equal([]);
  });
});
