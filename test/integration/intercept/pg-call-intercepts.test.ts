import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { LOCAL_ONLY_INTERCEPT_KEY } from '../../../app/config/schema';
import { createInterceptModule, type InterceptModule, type LiveCall } from '../../../app/intercept';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { PgCallIntercepts } from '../../../app/intercept/pg-call-intercepts';
import { PrismaInterceptRepository } from '../../../app/intercept/prisma-intercept-repository';
import { CallEventSchema, type CallEvent } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { FakeContentTap } from '../../support/fakes/fake-content-tap';
import { InMemoryEvidenceLocation } from '../../support/fakes/in-memory-evidence-location';
import { testEnv } from '../../support/test-env';

const HOUR_MS = 3600_000;
const identityOf = (tag: string) => ({ userId: randomUUID(), username: `pg${tag}${randomUUID().slice(0, 6)}`, phoneNumber: `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` });

// One controller instance's intercept module: its own Prisma client and plain-SQL pool.
function instance(name: string, live: Map<string, LiveCall>): { db: Database; sql: Sql; module: InterceptModule } {
  const db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
  const sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
  const module = createInterceptModule({
    db,
    sql,
    tap: new FakeContentTap(),
    liveCalls: {
      liveCallsOf: (targets) => Promise.resolve([...live.values()].filter((call) => targets.some((t) => Object.values(call.caller).includes(t.value) || (call.callee && Object.values(call.callee).includes(t.value))))),
      find: (callId) => Promise.resolve(live.get(callId)),
    },
    storage: [],
    locations: [new InMemoryEvidenceLocation(`${name}-a`)],
    encryptionKey: Buffer.from(LOCAL_ONLY_INTERCEPT_KEY, 'base64'),
    retentionDays: 3650,
    tickMs: 1000,
    verifyIntervalMs: 60_000,
    instanceId: name,
    clock: systemClock,
    log: silentLogger,
    metrics: new Registry(),
  });
  return { db, sql, module };
}

// The intercept consumer's per-event reads through plain SQL, against the profile's PostgreSQL:
// the answers the Prisma queries gave, and never a stale one across controller instances.
describe('integration: intercept reads of every call event, through plain SQL', function () {
  this.timeout(60_000);
  const live = new Map<string, LiveCall>();
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;
  let repo: PrismaInterceptRepository;
  let reads: PgCallIntercepts;
  let agencyId: string;

  const warrantOn = (targets: { type: 'user' | 'sipUsername' | 'phoneNumber'; value: string }[], window: { from: number; until: number } = { from: -HOUR_MS, until: HOUR_MS }) =>
    repo.createWarrant({ agencyId, targets, content: false, validFrom: new Date(Date.now() + window.from), validUntil: new Date(Date.now() + window.until) });
  const kindsOf = async (warrantId: string): Promise<string[]> => (await a.db.liEvent.findMany({ where: { warrantId }, orderBy: { seq: 'asc' } })).map((e) => e.kind);

  before(async function () {
    a = instance('a', live);
    b = instance('b', live);
    repo = new PrismaInterceptRepository(a.db, new EvidenceKeyRing(Buffer.from(LOCAL_ONLY_INTERCEPT_KEY, 'base64')), new PgCallIntercepts(a.sql));
    reads = new PgCallIntercepts(b.sql);
    agencyId = (await a.module.agencies.create(`PG reads ${randomUUID().slice(0, 8)}`)).agency.id;
  });

  after(async function () {
    for (const side of [a, b]) {
      await side?.db.$disconnect();
      await side?.sql.end();
    }
  });

  it('given a warrant naming a party by two of its keys among other targets, then it is found once, with all its targets', async function () {
    const party = identityOf('two');
    const other = identityOf('other');
    const warrant = await warrantOn([
      { type: 'sipUsername', value: party.username },
      { type: 'phoneNumber', value: party.phoneNumber },
      { type: 'user', value: other.userId },
    ]);
    const found = await reads.warrantsTargeting(party, new Date());
    expect(found).to.deep.equal([{ ...warrant, targets: found[0]?.targets }]);
    expect(found[0]?.targets).to.have.deep.members(warrant.targets);
    expect(await reads.warrantsTargeting(other, new Date())).to.have.length(1);
    expect(await reads.warrantsTargeting(identityOf('nobody'), new Date())).to.deep.equal([]);
  });

  it('given a warrant window, then it targets from its first instant and not at its last (from <= at < until)', async function () {
    const party = identityOf('window');
    const warrant = await warrantOn([{ type: 'user', value: party.userId }], { from: -60_000, until: 60_000 });
    const ids = async (at: Date): Promise<string[]> => (await reads.warrantsTargeting(party, at)).map((w) => w.id);
    expect(await ids(warrant.validFrom)).to.deep.equal([warrant.id]);
    expect(await ids(new Date(warrant.validFrom.getTime() - 1))).to.deep.equal([]);
    expect(await ids(new Date(warrant.validUntil.getTime() - 1))).to.deep.equal([warrant.id]);
    expect(await ids(warrant.validUntil)).to.deep.equal([]);
  });

  it('given a party of the phone network (no user, no username), then no warrant is found through its empty keys', async function () {
    const party = identityOf('pstn');
    await warrantOn([{ type: 'phoneNumber', value: party.phoneNumber }]);
    const found = await reads.warrantsTargeting({ userId: '', username: '', phoneNumber: '+4930999999' }, new Date());
    expect(found).to.deep.equal([]);
  });

  it("given a call's intercepts, then they come oldest first with every field, unset ones absent", async function () {
    const callId = randomUUID();
    const [first, second] = [await warrantOn([{ type: 'user', value: randomUUID() }]), await warrantOn([{ type: 'user', value: randomUUID() }])];
    const later = await repo.openIntercept({ warrantId: first.id, callId, targetRole: 'callee', state: 'begun', contentState: 'none', begunAt: new Date('2026-11-25T10:00:01.000Z') });
    const earlier = await repo.openIntercept({ warrantId: second.id, callId, targetRole: 'caller', targetChannelId: 'chan-1', state: 'begun', contentState: 'wanted', begunAt: new Date('2026-11-25T10:00:00.000Z') });
    await repo.updateIntercept(earlier.intercept.id, { state: 'answered', answeredAt: new Date('2026-11-25T10:00:02.000Z'), contentError: 'tap refused', nextAttemptAt: new Date('2026-11-25T10:00:05.000Z') });
    const found = await reads.interceptsOfCall(callId);
    expect(found).to.deep.equal([
      {
        ...earlier.intercept,
        state: 'answered',
        answeredAt: new Date('2026-11-25T10:00:02.000Z'),
        contentError: 'tap refused',
        nextAttemptAt: new Date('2026-11-25T10:00:05.000Z'),
        endedAt: undefined,
      },
      { ...later.intercept, targetChannelId: undefined, contentError: undefined, nextAttemptAt: undefined, answeredAt: undefined, endedAt: undefined },
    ]);
    expect(await reads.interceptsOfCall(randomUUID())).to.deep.equal([]);
  });

  it('given a warrant committed on one instance, when a call of its target is requested on another right after, then that instance intercepts it (20 times in a row)', async function () {
    for (let round = 0; round < 20; round += 1) {
      const target = identityOf('race');
      const callId = randomUUID();
      const warrant = await a.module.warrants.activate({ agencyId, targets: [{ type: 'sipUsername', value: target.username }], content: false, validFrom: new Date(Date.now() - 1000), validUntil: new Date(Date.now() + HOUR_MS) });
      const requested: CallEvent = CallEventSchema.parse({ id: `${callId}-req`, version: 1, callId, occurredAt: new Date().toISOString(), type: 'call.v1.requested', caller: target, dialed: 'someone' });
      await b.module.handleCallEvent(requested);
      const intercepts = await reads.interceptsOfCall(callId);
      expect(intercepts.map((i) => [i.warrantId, i.targetRole, i.state]), `round ${round}`).to.deep.equal([[warrant.id, 'caller', 'begun']]);
    }
  });

  it('given a call in progress on one instance, when a warrant on its caller is activated on another, then the first records its answer and end', async function () {
    const target = identityOf('mid');
    const callee = identityOf('callee');
    const callId = randomUUID();
    const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
    const event = (fields: Record<string, unknown>): CallEvent => CallEventSchema.parse({ version: 1, callId, occurredAt: new Date().toISOString(), ...fields });
    await b.module.handleCallEvent(event({ id: `${callId}-req`, type: 'call.v1.requested', caller: target, dialed: callee.username }));
    await b.module.handleCallEvent(event({ id: `${callId}-rt`, type: 'call.v1.routed', callee, devices: 1 }));
    expect(await reads.interceptsOfCall(callId)).to.deep.equal([]);

    live.set(callId, { callId, caller: target, callerChannelId: 'chan-caller', callee, answered: false });
    const warrant = await a.module.warrants.activate({ agencyId, targets: [{ type: 'user', value: target.userId }], content: false, validFrom: new Date(Date.now() - 1000), validUntil: new Date(Date.now() + HOUR_MS) });
    live.delete(callId);
    await b.module.handleCallEvent(event({ id: `${callId}-ans`, type: 'call.v1.answered', setupMs: 300 }));
    await b.module.handleCallEvent(
      event({ id: `${callId}-end`, type: 'call.v1.ended', caller: target, callee, dialed: callee.username, cause: 'completed', requestedAt: at(-2000), answeredAt: at(-1000), endedAt: at(0), talkMs: 1000, quality: {}, history: [] }),
    );
    expect(await kindsOf(warrant.id)).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.answer', 'iri.end']);
    expect((await reads.interceptsOfCall(callId)).map((i) => i.state)).to.deep.equal(['ended']);
  });
});
