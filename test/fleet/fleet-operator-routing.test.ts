import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { answersThroughEdge, callsThroughEdge, createFleetUser, fleetApi, fleetDevice, fleetEnv, registerThroughEdge, until } from '../support/fleet';

interface CallView {
  id: string;
  state: string;
  live: boolean;
  node?: string;
}

interface Recording {
  callId: string;
  state: string;
  durationMs?: number;
}

// The intercept administrator's token of the fleet (scripts/fleet.sh writes one for every instance).
function interceptToken(): string {
  if (process.env.INTERCEPT_ADMIN_TOKEN) return process.env.INTERCEPT_ADMIN_TOKEN;
  const file = join(__dirname, '..', '..', '.local', 'fleet', 'intercept-admin-token');
  if (!existsSync(file)) throw new Error('no fleet intercept token: run scripts/fleet.sh up first');
  return readFileSync(file, 'utf8').trim();
}

async function interceptApi(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fleetEnv.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

// Operator actions that are not a hang-up, asked of the core's admin API (an instance with no
// switch of its own): each reaches the node where the call is, or a node that can place it.
describe('fleet: click-to-call and mid-call intercept through the core', function () {
  this.timeout(180_000);

  it("given alice's phone and bob's registered through the edge, when an operator starts alice -> bob on the core, then a node places it (alice's phone rings, then bob's), the call is answered on that node, and the core's hang-up ends it there", async function () {
    const [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    const aliceDevice = fleetDevice(alice);
    const bobDevice = fleetDevice(bob);
    await registerThroughEdge(aliceDevice);
    await registerThroughEdge(bobDevice);
    const alicePhone = await answersThroughEdge(aliceDevice, { kind: 'answer', ringMs: 200 });
    const bobPhone = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 200 });
    try {
      const started = await fleetApi('POST', '/v1/calls', { from: alice.username, to: bob.username });
      expect(started.status, JSON.stringify(started.body)).to.equal(201);
      const node = String(started.body.node);
      expect(node, 'placed by a node, not the core').to.match(/^node-\d+$/);
      const answered = await until(async () => (await fleetApi('GET', `/v1/calls/${String(started.body.id)}`)).body as unknown as CallView, (call) => call.state === 'answered', 30_000, 'click-to-call answered');
      expect(answered.node).to.equal(node);

      expect((await fleetApi('DELETE', `/v1/calls/${answered.id}`)).status).to.equal(202);
      const ended = await until(async () => (await fleetApi('GET', `/v1/calls/${answered.id}`)).body as unknown as CallView, (call) => call.live === false, 30_000, 'click-to-call ended');
      expect(ended.live).to.equal(false);
      const [aliceResult, bobResult] = await Promise.all([alicePhone.done, bobPhone.done]);
      expect(aliceResult.received.some((line) => line.startsWith('INVITE ')), 'alice rang').to.equal(true);
      expect(bobResult.received.some((line) => line.startsWith('INVITE ')), 'bob rang').to.equal(true);
    } finally {
      alicePhone.kill();
      bobPhone.kill();
      await Promise.allSettled([alicePhone.done, bobPhone.done]);
    }
  });

  it("given answered calls of alice on both nodes, when a content warrant on her is activated mid-call through the core, then every call's rest is recorded, those on node-2 included", async function () {
    const token = interceptToken();
    const [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    const aliceDevice = fleetDevice(alice);
    const bobDevice = fleetDevice(bob);
    await registerThroughEdge(aliceDevice);
    await registerThroughEdge(bobDevice);
    // 6 calls hashed over two nodes: none on node-2 has a chance of 1 in 64.
    const calls = 6;
    const callee = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 100 }, calls);
    const caller = callsThroughEdge(aliceDevice, bob.username, { calls, rate: 6, holdMs: 15_000 });
    try {
      const answered = await until(
        async () => ((await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as CallView[]).filter((call) => call.state === 'answered'),
        (list) => list.length === calls,
        40_000,
        'every call answered',
      );
      const nodes = answered.map((call) => call.node);
      expect(nodes, JSON.stringify(nodes)).to.include('node-2');

      const agency = await interceptApi('POST', '/v1/agencies', token, { name: `fleet-agency-${Date.now().toString(36)}` });
      expect(agency.status, JSON.stringify(agency.body)).to.equal(201);
      const hour = 3600_000;
      const warrant = await interceptApi('POST', '/v1/warrants', token, {
        agencyId: agency.body.id,
        targets: [{ type: 'sipUsername', value: alice.username }],
        content: true,
        validFrom: new Date(Date.now() - hour).toISOString(),
        validUntil: new Date(Date.now() + hour).toISOString(),
      });
      expect(warrant.status, JSON.stringify(warrant.body)).to.equal(201);
      const agencyToken = String(agency.body.token);

      await caller.done;
      const recordings = await until(
        async () => (await interceptApi('GET', `/v1/warrants/${String(warrant.body.id)}/recordings`, agencyToken)).body.recordings as Recording[],
        (list) => list.filter((recording) => recording.state === 'stored').length >= calls,
        60_000,
        'a stored recording of every call',
      );
      const stored = recordings.filter((recording) => recording.state === 'stored');
      expect(stored.map((recording) => recording.callId).sort()).to.deep.equal(answered.map((call) => call.id).sort());
      for (const call of answered) {
        const recording = stored.find((candidate) => candidate.callId === call.id);
        // The warrant came a few seconds into 15 s calls: several seconds of each are recorded.
        expect(recording?.durationMs ?? 0, `${call.id} on ${call.node ?? '?'}`).to.be.greaterThan(3000);
      }
    } finally {
      caller.kill();
      callee.kill();
      await Promise.allSettled([caller.done, callee.done]);
    }
  });
});
