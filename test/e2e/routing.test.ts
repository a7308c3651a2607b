import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { call, device, register, type Device } from '../support/devices';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { type UasBehaviour } from '../support/sipp/scenarios';
import { finalCode, invites } from '../support/sipp';

interface RouteView {
  carrierId: string;
  quality: { asr: number; evidence: unknown };
  reasons: string[];
}
interface RoutesBody {
  routes: RouteView[];
  excluded: { carrierId: string; reason: string }[];
}

// The recommendation service choosing among three sipp carriers by cost and measured quality,
// with the blended score the app runs with by default (exploration off: the order is the score's).
describe('e2e: the recommendation service picks the carrier', function () {
  let app: AppProcess;
  let alice: TestUser;
  let aliceDevice: Device;
  let cheap: TestCarrier;
  let middle: TestCarrier;
  let dear: TestCarrier;
  let overpriced: TestCarrier;
  let callNumber = 0;

  const routes = async (): Promise<RoutesBody> => {
    const res = await api('GET', `/v1/routes?from=${alice.username}&to=${encodeURIComponent('+442071838700')}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as unknown as RoutesBody;
  };

  // One call to London while each carrier behaves as told (a carrier not told anything is not
  // listening at all); which carriers got the INVITE, and what alice got.
  async function londonCall(behaviours: Map<TestCarrier, UasBehaviour>): Promise<{ code: number | undefined; invited: TestCarrier[] }> {
    const peers = await Promise.all([...behaviours].map(async ([carrier, behaviour]) => ({ carrier, run: await carrierAnswers(carrier, behaviour) })));
    callNumber += 1;
    const result = await call(aliceDevice, `+4420718387${String(callNumber).padStart(2, '0')}`, { holdMs: 500 }).done;
    // A carrier never tried is still waiting for its INVITE.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const peer of peers) peer.run.kill();
    const results = await Promise.all(peers.map(async (peer) => ({ carrier: peer.carrier, result: await peer.run.done })));
    return { code: finalCode(result), invited: results.filter((peer) => invites(peer.result) > 0).map((peer) => peer.carrier) };
  }

  before(async function () {
    app = await AppProcess.start({ ROUTING_STRATEGY: 'blended', ROUTING_EXPLORATION_RATE: '0', ROUTING_REFRESH_MS: '200', CARRIER_PROGRESS_TIMEOUT_SECONDS: '2' });
    await removeAllCarriers();
    alice = await createUser('alice');
    // alice pays 0.60 USD a minute to the UK.
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    const tag = Date.now().toString(36);
    cheap = await createCarrier(`cheap-${tag}`);
    middle = await createCarrier(`middle-${tag}`);
    dear = await createCarrier(`dear-${tag}`);
    overpriced = await createCarrier(`overpriced-${tag}`);
    await importCarrierRates(cheap, ['44,0.010']);
    await importCarrierRates(middle, ['44,0.015']);
    await importCarrierRates(dear, ['44,0.030']);
    // Costs more than alice pays: never chosen (no carrier allows it here).
    await importCarrierRates(overpriced, ['44,0.90']);
    aliceDevice = device(alice);
    await register(aliceDevice);
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async function () {
    await app?.stop();
  });

  it('given three carriers of equal (unmeasured) quality, then the cheapest gets the call and one above the retail price is never offered', async function () {
    const ranked = await routes();
    expect(ranked.routes.map((route) => route.carrierId)).to.deep.equal([cheap.id, middle.id, dear.id]);
    expect(ranked.excluded).to.deep.include({ carrierId: overpriced.id, carrierName: overpriced.name, reason: 'above_retail' });
    expect(ranked.routes[0]?.reasons.join(' ')).to.match(/cheapest/);

    const answer: UasBehaviour = { kind: 'answer', ringMs: 100 };
    const outcome = await londonCall(new Map([[cheap, answer], [middle, answer], [dear, answer], [overpriced, answer]]));
    expect(outcome.code).to.equal(200);
    expect(outcome.invited).to.deep.equal([cheap]);
  });

  it('given the cheapest carrier starts failing, then calls fail over to the next, and the speed layer demotes it within a few calls', async function () {
    const started = Date.now();
    const trace: string[] = [];
    let demotedAfter: number | undefined;
    for (let attempt = 1; attempt <= 10 && demotedAfter === undefined; attempt += 1) {
      const outcome = await londonCall(new Map<TestCarrier, UasBehaviour>([[cheap, { kind: 'reject', ringMs: 20, code: 503 }], [middle, { kind: 'answer', ringMs: 100 }]]));
      trace.push(`${attempt}: ${outcome.code} via ${outcome.invited.map((carrier) => carrier.name).join(' -> ')}`);
      // Every call still connects: through the next carrier when the first fails.
      expect(outcome.code, trace.join('\n')).to.equal(200);
      expect(outcome.invited.at(-1), trace.join('\n')).to.equal(middle);
      if (!outcome.invited.includes(cheap)) demotedAfter = attempt - 1;
      // The call's end reaches the speed layer through NATS.
      await eventually(() => callRecordsOf(alice.id), (rows) => rows.length >= callNumber);
    }
    console.log(`      ${trace.join('; ')}\n      demoted after ${demotedAfter} failed calls, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(demotedAfter, trace.join('\n')).to.be.a('number').and.at.most(6);

    const ranked = await routes();
    // Demoted, not dropped: it stays on the list as a fallback.
    expect(ranked.routes[0]?.carrierId).to.equal(middle.id);
    expect(ranked.routes.map((route) => route.carrierId)).to.have.members([middle.id, dear.id, cheap.id]);
    const asr = (carrier: TestCarrier): number | undefined => ranked.routes.find((route) => route.carrierId === carrier.id)?.quality.asr;
    expect(asr(cheap)).to.be.lessThan(asr(middle) ?? 0);

    // The failed attempts are in the call records too, for the batch layer to learn from.
    const failed = (await callRecordsOf(alice.id)).flatMap((row) => row.attempts).filter((attempt) => attempt.carrierId === cheap.id && attempt.sipCode === 503);
    expect(failed).to.have.length(demotedAfter ?? -1);
  });
});
