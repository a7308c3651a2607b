import { expect } from 'chai';
import { createFleetUser, fleetApi, fleetAsync, fleetEnv, fleetDevice, fleetQuery, registerThroughEdge, sleep, until } from '../support/fleet';
import { runSipp } from '../support/sipp';
import { registerScenario } from '../support/sipp/scenarios';
import { addHostAddress, SipProbe } from '../support/sip-probe';

// Attack handling at the edge (kamailio/edge-guard.cfg) with the fleet's settings: 10 failed
// authentications ban a source for 20 s; pike bans past 1000 requests in 2 s. Attackers use
// addresses of their own on the host (the other fleet tests' phones use the bridge's address).
interface Ban {
  address: string;
  reason: string;
  failures: number;
  until: string;
}
interface BanList {
  bans: Ban[];
  failuresBySource: Array<{ key: string; failures: number }>;
  failuresByUsername: Array<{ key: string; failures: number }>;
}
const BAN_SECONDS = 20;

async function banList(): Promise<BanList> {
  const res = await fleetApi('GET', '/v1/sip-bans');
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as unknown as BanList;
}
const banOf = async (address: string): Promise<Ban | undefined> => (await banList()).bans.find((ban) => ban.address === address);

// A sipp phone registering from `localIp` (the real endpoint's view of a ban: no answer at all).
async function sippRegistersFrom(localIp: string, user: { username: string; password: string }, port: number): Promise<boolean> {
  const result = await runSipp({ scenario: registerScenario(), target: fleetEnv.edgeTarget, localIp, localPort: port, service: user.username, auth: user, variables: { expires: '60' }, timeoutSeconds: 5 }).done;
  return result.exitCode === 0;
}

async function metric(name: string, labels: string): Promise<number | undefined> {
  const res = await fleetApi('GET', '/metrics');
  const text = typeof res.body.text === 'string' ? res.body.text : '';
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('fleet: attack handling at the edge', function () {
  this.timeout(180_000);
  const attacker = `${fleetEnv.net}.50`;
  const flooder = `${fleetEnv.net}.51`;
  const scanner = `${fleetEnv.net}.52`;
  const removers: Array<() => void> = [];
  const probes: SipProbe[] = [];
  const probe = async (address: string): Promise<SipProbe> => {
    const opened = await SipProbe.open(address, fleetEnv.edgeTarget);
    probes.push(opened);
    return opened;
  };

  before(function () {
    for (const address of [attacker, flooder, scanner]) removers.push(addHostAddress(address, fleetEnv.bridge));
  });
  after(async function () {
    for (const opened of probes) opened.close();
    // No ban of ours outlives the suite.
    for (const address of [attacker, flooder, scanner]) await fleetApi('DELETE', `/v1/sip-bans/${address}`);
    for (const remove of removers) remove();
  });

  it('given 30 REGISTERs with wrong passwords from one address, then that address is banned (the right password from it too), another address registers the same user, and the ban lifts after its period', async function () {
    const user = await createFleetUser('guard');
    const brute = await probe(attacker);
    const answers: Array<number | undefined> = [];
    let bannedAt = 0;
    for (let i = 0; i < 30; i++) {
      answers.push(await brute.register(user.username, 'not-the-password', 300));
      // The 10th refusal bans.
      if (i === 9) bannedAt = Date.now();
    }
    // The first 10 are refused by the node; from then on the edge answers nothing.
    expect(answers.slice(0, 10).every((code) => code === 401 || code === 403), JSON.stringify(answers)).to.equal(true);
    expect(answers.slice(10), JSON.stringify(answers)).to.deep.equal(new Array(20).fill(undefined));

    expect(await brute.register(user.username, user.password, 1000), 'the right password from the banned address').to.equal(undefined);
    expect(await sippRegistersFrom(attacker, user, 46990), 'a real phone on the banned address').to.equal(false);
    // The same user from another address (the host's, as every fleet phone) registers.
    expect((await registerThroughEdge(fleetDevice(user), 60)).exitCode).to.equal(0);

    const ban = await banOf(attacker);
    expect(ban, 'listed by GET /v1/sip-bans').to.include({ reason: 'auth', failures: 10 });
    const list = await banList();
    expect(list.failuresByUsername.find((count) => count.key === user.username)?.failures ?? 0, 'the username counted, not banned').to.be.at.least(10);
    expect(await metric('edge_guard_bans_active', 'reason="auth"')).to.be.at.least(1);
    expect(await metric('edge_guard_events', 'event="ban"')).to.be.at.least(1);

    // Lifted by the edge after its period (its expiry timer runs every 2 s).
    await until(() => brute.register(user.username, user.password, 500), (code) => code === 200, (BAN_SECONDS + 8) * 1000, 'the right password after the ban period');
    const liftedAfter = (Date.now() - bannedAt) / 1000;
    expect(liftedAfter).to.be.within(BAN_SECONDS - 1, BAN_SECONDS + 6);
    expect(await banOf(attacker)).to.equal(undefined);
  });

  it('given a banned address, when an admin deletes its ban, then it registers at once (audited); a second delete is 404', async function () {
    const user = await createFleetUser('guard');
    const brute = await probe(attacker);
    for (let i = 0; i < 10; i++) await brute.register(user.username, 'wrong-again', 300);
    await until(() => banOf(attacker), (ban) => ban !== undefined, 5000, 'the ban');
    expect(await brute.register(user.username, user.password, 500)).to.equal(undefined);

    const support = await fleetApi('DELETE', '/v1/sip-bans/not-an-address');
    expect(support.status).to.equal(400);
    const lifted = await fleetApi('DELETE', `/v1/sip-bans/${attacker}`);
    expect(lifted.status, JSON.stringify(lifted.body)).to.equal(204);
    expect(await brute.register(user.username, user.password, 1000)).to.equal(200);
    expect((await fleetApi('DELETE', `/v1/sip-bans/${attacker}`)).status).to.equal(404);
    const audit = await fleetApi('GET', '/v1/audit?limit=20');
    expect(JSON.stringify(audit.body)).to.include('sip-bans.lift').and.to.include(attacker);
  });

  it('given a flood of requests from one address, then pike bans it while another address is served', async function () {
    const flood = await probe(flooder);
    expect((await flood.request({ method: 'OPTIONS' }))?.status, 'served before the flood').to.equal(200);
    flood.burst(3000);
    await sleep(500);
    expect(await flood.request({ method: 'OPTIONS', timeoutMs: 1000 }), 'after the flood').to.equal(undefined);
    expect(await banOf(flooder)).to.include({ reason: 'flood' });
    const other = await probe(attacker);
    expect((await other.request({ method: 'OPTIONS' }))?.status, 'another address').to.equal(200);
  });

  it("given a scanner's User-Agent, then its request is dropped and its address banned", async function () {
    const scan = await probe(scanner);
    expect((await scan.request({ method: 'OPTIONS', headers: ['User-Agent: ordinary-phone/1.0'] }))?.status).to.equal(200);
    expect(await scan.request({ method: 'OPTIONS', headers: ['User-Agent: friendly-scanner'] })).to.equal(undefined);
    expect(await scan.request({ method: 'REGISTER', headers: ['User-Agent: ordinary-phone/1.0'] }), 'its next request').to.equal(undefined);
    expect(await banOf(scanner)).to.include({ reason: 'scanner' });
    expect((await fleetApi('DELETE', `/v1/sip-bans/${scanner}`)).status).to.equal(204);
  });

  it('given a banned scanner, when the edge restarts, then the ban is back with the time it had left (its requests dropped); an operator lift removes it from the edge\'s store too', async function () {
    const scan = await probe(scanner);
    expect(await scan.request({ method: 'OPTIONS', headers: ['User-Agent: sipvicious'] })).to.equal(undefined);
    const before = await until(() => banOf(scanner), (ban) => ban !== undefined, 5000, 'the ban');
    const stored = async (): Promise<number> => Number((await fleetQuery<{ n: string }>('SELECT count(*) AS n FROM edge_bans WHERE key_name = $1', [scanner]))[0]?.n ?? 0);
    expect(await stored(), 'the ban kept in PostgreSQL').to.equal(1);

    const restart = await fleetAsync('restart-edge');
    expect(restart.code, restart.output).to.equal(0);
    const after = await until(() => banOf(scanner), (ban) => ban !== undefined, 5000, 'the ban after the restart');
    expect(after).to.deep.equal(before);
    expect(await scan.request({ method: 'REGISTER', headers: ['User-Agent: ordinary-phone/1.0'], timeoutMs: 1000 }), 'its request after the restart').to.equal(undefined);

    expect((await fleetApi('DELETE', `/v1/sip-bans/${scanner}`)).status).to.equal(204);
    expect(await stored(), 'the lifted ban left in PostgreSQL').to.equal(0);
    expect((await scan.request({ method: 'OPTIONS', headers: ['User-Agent: ordinary-phone/1.0'] }))?.status, 'served after the lift').to.equal(200);
  });

  it("given the edge's RPC, then a phone on the fleet network gets no answer from it (only the core does: GET /v1/sip-bans works)", async function () {
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, fleetEnv.hostIp, () => resolve()));
    const answered = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1500);
      socket.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'htable.dump', params: ['guard_bans'], id: 1 }), 5090, fleetEnv.edgeIp);
    });
    socket.close();
    expect(answered).to.equal(false);
    expect((await fleetApi('GET', '/v1/sip-bans')).status).to.equal(200);
  });

  it('given a REGISTER or an INVITE to a domain the edge does not serve, then it is refused with 403; its own domain is served', async function () {
    const phone = await probe(scanner);
    expect((await phone.request({ method: 'REGISTER', ruri: 'sip:victim.example' }))?.status).to.equal(403);
    expect((await phone.request({ method: 'INVITE', ruri: 'sip:+441234567890@victim.example' }))?.status).to.equal(403);
    // calling.local (an alias) and the edge's address are served: the node challenges.
    expect((await phone.request({ method: 'REGISTER', ruri: 'sip:calling.local' }))?.status).to.equal(401);
    expect((await phone.request({ method: 'REGISTER' }))?.status).to.equal(401);
  });
});
