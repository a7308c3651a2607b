import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { LOCAL_ONLY_INTERCEPT_KEY } from '../../../app/config/schema';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { genesisHash, verifyChain } from '../../../app/intercept/hash-chain';
import { PgCallIntercepts } from '../../../app/intercept/pg-call-intercepts';
import { PrismaInterceptRepository } from '../../../app/intercept/prisma-intercept-repository';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

// The intercept tables in the real PostgreSQL: chain appends under concurrency, purge anchors,
// recording claims, leases and the append-only audit log.
describe('integration: intercept repository', function () {
  let db: Database;
  let sql: Sql;
  let repo: PrismaInterceptRepository;
  let agencyId: string;
  // The key the app under test uses (the local-only one): the e2e verification checks these chains too.
  const keys = new EvidenceKeyRing(Buffer.from(LOCAL_ONLY_INTERCEPT_KEY, 'base64'));

  before(async function () {
    // As the controller runs it: with its own role (the purge goes through li_purge_chain_prefix).
    db = createDatabase({ url: testEnv.appDatabaseUrl, poolSize: 10 });
    sql = createSql({ url: testEnv.appDatabaseUrl, poolSize: 2, log: silentLogger });
    repo = new PrismaInterceptRepository(db, keys, new PgCallIntercepts(sql));
    agencyId = (await repo.createAgency('Integration agency', randomUUID().replace(/-/g, '').padEnd(64, '0'))).id;
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  const newWarrant = () => repo.createWarrant({ agencyId, targets: [{ type: 'sipUsername', value: `it${randomUUID().slice(0, 8)}` }], content: true, validFrom: new Date(Date.now() - 60_000), validUntil: new Date(Date.now() + 3600_000) });

  it('given twenty records appended at once, then the chain has them all in one unbroken order', async function () {
    const warrant = await newWarrant();
    await Promise.all(Array.from({ length: 20 }, (_, i) => repo.appendEvent(warrant.id, { dedupeKey: `k${i}`, kind: 'iri.begin', occurredAt: new Date(), payload: { i, nested: { b: 1, a: [1, 2] } } })));
    const records = await repo.eventsOf(warrant.id);
    const chain = await repo.chainOf(warrant.id);
    expect(records.map((r) => r.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records.every((r) => r.keyId === keys.current.id)).to.equal(true);
    expect(verifyChain(keys, records, { seq: 0, hash: genesisHash(warrant.id) }, chain?.head)).to.deep.equal([]);
  });

  it('given a recording update with its record, then both commit, or neither when the record cannot be appended', async function () {
    const warrant = await newWarrant();
    const { intercept } = await repo.openIntercept({ warrantId: warrant.id, callId: randomUUID(), targetRole: 'caller', state: 'ended', contentState: 'stopped', begunAt: new Date() });
    const id = randomUUID();
    await repo.createRecording({ id, interceptId: intercept.id, warrantId: warrant.id, callId: intercept.callId, segment: 1, tap: { inChannelId: 'a', outChannelId: 'b', nameIn: `a-${id}`, nameOut: `b-${id}` }, state: 'collecting', startedAt: new Date() });
    await repo.updateRecording(id, { state: 'stored', sha256: 'a'.repeat(64) }, { dedupeKey: `${id}:stored`, kind: 'recording.stored', occurredAt: new Date(), payload: { recordingId: id } });
    expect((await repo.getRecording(id))?.state).to.equal('stored');
    expect((await repo.eventsOf(warrant.id)).map((r) => r.kind)).to.deep.equal(['recording.stored']);
    // A record that cannot be appended (its warrant's chain is locked out by a bad id) rolls the row back.
    await db.$executeRaw`UPDATE li_recordings SET warrant_id = ${randomUUID()}::uuid WHERE id = ${id}::uuid`;
    try {
      await repo.updateRecording(id, { state: 'purged' }, { dedupeKey: `${id}:purged`, kind: 'recording.purged', occurredAt: new Date(), payload: {} });
      expect.fail('should fail');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('WARRANT.NOT_FOUND');
    }
    expect((await repo.getRecording(id))?.state).to.equal('stored');
    await repo.updateRecording(id, { state: 'failed' });
  });

  it('given the same dedupe key twice, then the record is appended once', async function () {
    const warrant = await newWarrant();
    const first = await repo.appendEvent(warrant.id, { dedupeKey: 'same', kind: 'iri.end', occurredAt: new Date(), payload: {} });
    const second = await repo.appendEvent(warrant.id, { dedupeKey: 'same', kind: 'iri.end', occurredAt: new Date(), payload: {} });
    expect(first?.seq).to.equal(1);
    expect(second).to.equal(undefined);
  });

  it('given old records purged, then the chain restarts from an anchor, the purge record is in the same transaction, and it still verifies', async function () {
    const warrant = await newWarrant();
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (let i = 0; i < 3; i += 1) await repo.appendEvent(warrant.id, { dedupeKey: `old${i}`, kind: 'iri.begin', occurredAt: old, payload: { i } });
    await repo.appendEvent(warrant.id, { dedupeKey: 'new', kind: 'iri.end', occurredAt: new Date(), payload: {} });
    expect(await repo.purgeEventsBefore(warrant.id, new Date(Date.now() - 86_400_000), { kind: 'records.purged', occurredAt: new Date(), payload: { reason: 'test' } })).to.deep.equal({ purged: 3, upToSeq: 3 });
    const chain = await repo.chainOf(warrant.id);
    expect(chain?.start.seq).to.equal(3);
    const records = await repo.eventsOf(warrant.id);
    expect(records.map((r) => [r.kind, r.payload])).to.deep.equal([['iri.end', {}], ['records.purged', { reason: 'test', upToSeq: 3, count: 3 }]]);
    expect(verifyChain(keys, records, chain!.start, chain!.head)).to.deep.equal([]);
  });

  it('given warrants on a party, then only those active and in their window target it', async function () {
    const username = `it${randomUUID().slice(0, 8)}`;
    const identity = { userId: randomUUID(), username, phoneNumber: '+14155550199' };
    const active = await repo.createWarrant({ agencyId, targets: [{ type: 'sipUsername', value: username }], content: false, validFrom: new Date(Date.now() - 1000), validUntil: new Date(Date.now() + 60_000) });
    await repo.createWarrant({ agencyId, targets: [{ type: 'user', value: identity.userId }], content: false, validFrom: new Date(Date.now() - 120_000), validUntil: new Date(Date.now() - 60_000) });
    const deactivated = await repo.createWarrant({ agencyId, targets: [{ type: 'phoneNumber', value: identity.phoneNumber }], content: false, validFrom: new Date(Date.now() - 1000), validUntil: new Date(Date.now() + 60_000) });
    await repo.updateWarrant(deactivated.id, { status: 'deactivated', deactivatedAt: new Date() });
    expect((await repo.warrantsTargeting(identity, new Date())).map((w) => w.id)).to.deep.equal([active.id]);
  });

  it('given one ended recording and two collectors, then only one claims it', async function () {
    const warrant = await newWarrant();
    const { intercept } = await repo.openIntercept({ warrantId: warrant.id, callId: randomUUID(), targetRole: 'caller', state: 'ended', contentState: 'stopped', begunAt: new Date() });
    const id = randomUUID();
    await repo.createRecording({ id, interceptId: intercept.id, warrantId: warrant.id, callId: intercept.callId, segment: 1, tap: { inChannelId: 'a', outChannelId: 'b', nameIn: `a-${id}`, nameOut: `b-${id}` }, state: 'ended', startedAt: new Date(), endedAt: new Date() });
    const now = new Date();
    const claims = await Promise.all([0, 1].map(() => repo.claimRecordingToCollect(now, new Date(now.getTime() - 1000), new Date(now.getTime() - 300_000))));
    expect(claims.filter((c) => c?.id === id)).to.have.length(1);
    await repo.updateRecording(id, { state: 'failed' });
  });

  it('given a lease held by one instance, then another cannot take it until it expires', async function () {
    const name = `it-${randomUUID()}`;
    const now = new Date();
    expect(await repo.tryLease(name, 'a', now, new Date(now.getTime() + 60_000))).to.equal(true);
    expect(await repo.tryLease(name, 'b', now, new Date(now.getTime() + 60_000))).to.equal(false);
    expect(await repo.tryLease(name, 'b', new Date(now.getTime() + 61_000), new Date(now.getTime() + 120_000))).to.equal(true);
  });

  it('given a job due, then one of two callers claims it, and nobody until its next due time', async function () {
    const name = `it-due-${randomUUID()}`;
    const now = new Date();
    const claims = await Promise.all([0, 1].map(() => repo.claimDue(name, now, new Date(now.getTime() + 60_000))));
    expect(claims.filter(Boolean)).to.have.length(1);
    expect(await repo.claimDue(name, new Date(now.getTime() + 59_000), new Date(now.getTime() + 120_000))).to.equal(false);
    await repo.scheduleJob(name, new Date(now.getTime() + 30_000));
    expect(await repo.claimDue(name, new Date(now.getTime() + 30_000), new Date(now.getTime() + 120_000))).to.equal(true);
  });

  it('given an audit entry, then PostgreSQL refuses to change or delete it: to the app by its role, to the owner by the trigger', async function () {
    await repo.appendAudit({ principalType: 'agency', principalId: agencyId, action: 'warrant.events.read', warrantId: randomUUID(), outcome: 'allowed', status: 200 });
    const ownerDb = createDatabase({ url: testEnv.databaseUrl, poolSize: 1 });
    try {
      for (const [who, client, refusal] of [['app', db, /permission denied/], ['owner', ownerDb, /append-only/]] as const) {
        for (const attempt of [() => client.liAuditLog.updateMany({ data: { outcome: 'denied' } }), () => client.liAuditLog.deleteMany({}), () => client.$executeRawUnsafe('TRUNCATE li_audit_log')]) {
          try {
            await attempt();
            expect.fail(`the audit log was changed by the ${who}`);
          } catch (error) {
            expect(String(error), who).to.match(refusal);
          }
        }
      }
    } finally {
      await ownerDb.$disconnect();
    }
  });
});
