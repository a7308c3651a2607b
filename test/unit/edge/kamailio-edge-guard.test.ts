import { expect } from 'chai';
import { EdgeRpcError, EdgeUnreachableError, KamailioEdgeGuard, SipBanNotFoundError, SipBans, type EdgeRpc } from '../../../app/edge';
import { silentLogger } from '../../../app/shared/infra/logger';

// The edge's RPC as a table of htables: htable.dump and htable.delete as Kamailio answers them.
class FakeEdgeRpc implements EdgeRpc {
  calls: string[] = [];
  unreachable = false;
  constructor(readonly tables: Record<string, Record<string, string | number>>) {}
  call(method: string, params: Array<string | number>): Promise<unknown> {
    this.calls.push(`${method} ${params.join(' ')}`);
    if (this.unreachable) return Promise.reject(new EdgeUnreachableError('udp://edge:5090'));
    const table = this.tables[String(params[0])] ?? {};
    if (method === 'htable.dump') return Promise.resolve(Object.entries(table).map(([name, value], entry) => ({ entry, size: 1, slot: [{ name, value }] })));
    if (method === 'htable.delete') {
      const key = String(params[1]);
      if (!(key in table)) return Promise.reject(new EdgeRpcError(method, 404, 'Key not found in htable.'));
      delete table[key];
      return Promise.resolve(null);
    }
    return Promise.reject(new EdgeRpcError(method, 500, 'no such method'));
  }
}

const NOW = new Date('2026-12-07T22:00:00Z');
const at = (offsetSeconds: number): number => NOW.getTime() / 1000 + offsetSeconds;

describe('edge: bans through the edge RPC', function () {
  let rpc: FakeEdgeRpc;
  let guard: KamailioEdgeGuard;
  beforeEach(function () {
    rpc = new FakeEdgeRpc({
      guard_bans: { '203.0.113.7': `until=${at(30)};reason=auth;failures=10`, '203.0.113.8': `until=${at(-1)};reason=flood;failures=0` },
      guard_sources: { '203.0.113.7': 3, '198.51.100.9': 4 },
      guard_users: { alice: 14 },
      guard_stats: { bans: 2, lifts: 1 },
    });
    guard = new KamailioEdgeGuard(rpc, () => NOW);
  });

  it('given a ban past its end that the edge has not swept yet, then it is not listed (the edge no longer applies it)', async function () {
    expect((await guard.listBans()).map((ban) => ban.address)).to.deep.equal(['203.0.113.7']);
  });

  it('given a banned address, when it is lifted, then its ban and its failure count are deleted at the edge', async function () {
    await guard.liftBan('203.0.113.7');
    expect(rpc.tables.guard_bans).to.not.have.key('203.0.113.7');
    expect(rpc.tables.guard_sources).to.deep.equal({ '198.51.100.9': 4 });
  });

  it('given an address that is not banned, when it is lifted, then SipBanNotFoundError (404), and its count is left as it is', async function () {
    const error = await guard.liftBan('198.51.100.9').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SipBanNotFoundError);
    expect((error as SipBanNotFoundError).kind).to.equal('not_found');
    expect(rpc.tables.guard_sources).to.have.property('198.51.100.9', 4);
  });

  it('given an unreachable edge, then the error says so (503), never an empty list', async function () {
    rpc.unreachable = true;
    const error = await guard.listBans().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EdgeUnreachableError);
    expect((error as EdgeUnreachableError).kind).to.equal('unavailable');
  });

  it('given failures by source and by username, then the operator view shows both next to the bans', async function () {
    const view = await new SipBans(guard, silentLogger).view();
    expect(view.failuresBySource).to.deep.equal([
      { key: '198.51.100.9', failures: 4 },
      { key: '203.0.113.7', failures: 3 },
    ]);
    expect(view.failuresByUsername).to.deep.equal([{ key: 'alice', failures: 14 }]);
    expect(view.countsAvailable).to.equal(true);
    expect(await guard.stats()).to.include({ bans: 2, lifts: 1, authFailures: 0 });
  });

  it('given counts the edge cannot hand over (an answer too large for one datagram), then the bans are still listed, marked as without counts', async function () {
    const original = rpc.call.bind(rpc);
    rpc.call = (method, params) => (params[0] === 'guard_users' ? Promise.reject(new EdgeUnreachableError('udp://edge:5090')) : original(method, params));
    const view = await new SipBans(guard, silentLogger).view();
    expect(view.bans.map((ban) => ban.address)).to.deep.equal(['203.0.113.7']);
    expect(view).to.include({ countsAvailable: false });
    expect(view.failuresBySource).to.deep.equal([]);
  });

  it('given something that is not an IP address, when it is lifted, then it is refused before the edge is asked; a lift is counted', async function () {
    let lifted = 0;
    const bans = new SipBans(guard, silentLogger, () => lifted++);
    const error = await bans.lift('203.0.113.7; core.kill', 'admin').catch((e: unknown) => e);
    expect((error as { code?: string }).code).to.equal('REQUEST.INVALID');
    expect(rpc.calls.filter((call) => call.startsWith('htable.delete'))).to.deep.equal([]);
    await bans.lift('203.0.113.7', 'admin');
    expect(lifted).to.equal(1);
  });
});
