import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PgCallRecordRepository } from '../../../app/call-log/pg-call-record-repository';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

// An answered on-net call with every optional part the record keeps.
function answeredCall(): CallEnded {
  return {
    id: randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId: randomUUID(),
    occurredAt: '2026-11-25T10:01:05.000Z',
    caller: { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' },
    callee: { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' },
    dialed: 'bob',
    cause: 'completed',
    reason: 'operator',
    sipCode: 200,
    requestedAt: '2026-11-25T10:00:00.123Z',
    ringingAt: '2026-11-25T10:00:00.456Z',
    answeredAt: '2026-11-25T10:00:02.789Z',
    endedAt: '2026-11-25T10:01:05.000Z',
    talkMs: 62_211,
    direction: 'on-net',
    attempts: [{ outcome: 'answered', pddMs: 14 }],
    quality: { caller: { rxPackets: 67, txPackets: 66, rxJitterMs: 0.5, txJitterMs: 0.375, rxPacketsLost: 0, txPacketsLost: 1 } },
    history: [
      { state: 'requested', at: '2026-11-25T10:00:00.123Z' },
      { state: 'ended', at: '2026-11-25T10:01:05.000Z' },
    ],
  };
}

// call_records through plain SQL against the profile's PostgreSQL: what the Prisma adapter wrote
// and read, once per call whatever the deliveries do.
describe('integration: call records through plain SQL', function () {
  let sql: Sql;
  let records: PgCallRecordRepository;
  const count = async (callId: string): Promise<number> => (await sql.query('SELECT 1 FROM call_records WHERE call_id = $1', [callId])).length;

  before(function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    records = new PgCallRecordRepository(sql);
  });

  after(async function () {
    await sql?.end();
  });

  it('given an answered call, when it is recorded, then it reads back whole: dates as Dates, numbers as numbers, the JSON parts as written', async function () {
    const event = answeredCall();
    expect(await records.insertOnce(event)).to.equal(true);
    expect(await records.find(event.callId)).to.deep.equal({
      callId: event.callId,
      caller: event.caller,
      callee: event.callee,
      dialed: 'bob',
      requestedAt: new Date('2026-11-25T10:00:00.123Z'),
      ringingAt: new Date('2026-11-25T10:00:00.456Z'),
      answeredAt: new Date('2026-11-25T10:00:02.789Z'),
      endedAt: new Date('2026-11-25T10:01:05.000Z'),
      talkMs: 62_211,
      endCause: 'completed',
      endReason: 'operator',
      sipCode: 200,
      direction: 'on-net',
      attempts: event.attempts,
      quality: event.quality,
      history: event.history,
    });
  });

  it('given a call from the phone network that nobody answered, then its record has no users, no callee and none of the missing times', async function () {
    const event: CallEnded = {
      ...answeredCall(),
      caller: { userId: '', username: '', phoneNumber: '+4930123456' },
      callee: undefined,
      dialed: '+14155550102',
      cause: 'no_route',
      reason: undefined,
      sipCode: undefined,
      ringingAt: undefined,
      answeredAt: undefined,
      talkMs: 0,
      direction: undefined,
      attempts: undefined,
      carrierId: 'carrier-a',
      quality: {},
    };
    expect(await records.insertOnce(event)).to.equal(true);
    const record = await records.find(event.callId);
    expect(record).to.deep.include({ caller: { userId: '', username: '', phoneNumber: '+4930123456' }, direction: 'on-net', attempts: [], carrierId: 'carrier-a', quality: {} });
    expect(record).to.not.have.any.keys('callee', 'ringingAt', 'answeredAt', 'endReason', 'sipCode');
    const [row] = await sql.query<{ caller_user_id: string | null; callee_number: string | null }>('SELECT caller_user_id, callee_number FROM call_records WHERE call_id = $1', [event.callId]);
    expect(row).to.deep.equal({ caller_user_id: null, callee_number: null });
  });

  it('given a redelivery, or another event for the same call, or the same event id for another call, then nothing more is written', async function () {
    const event = answeredCall();
    expect(await records.insertOnce(event)).to.equal(true);
    expect(await records.insertOnce(event), 'the same event again').to.equal(false);
    expect(await records.insertOnce({ ...event, id: randomUUID(), talkMs: 1 }), 'another event of the call').to.equal(false);
    const otherCall = randomUUID();
    expect(await records.insertOnce({ ...event, callId: otherCall }), 'the event id of another record').to.equal(false);
    expect(await count(event.callId)).to.equal(1);
    expect(await count(otherCall)).to.equal(0);
    expect((await records.find(event.callId))?.talkMs).to.equal(62_211);
  });

  it('given the same event delivered to several consumers at once, then exactly one writes it', async function () {
    const event = answeredCall();
    const results = await Promise.all(Array.from({ length: 6 }, () => records.insertOnce(event)));
    expect(results.filter(Boolean)).to.have.length(1);
    expect(await count(event.callId)).to.equal(1);
  });

  it('given an unknown call id or one that is no UUID, then no record, and no database error', async function () {
    expect(await records.find(randomUUID())).to.equal(undefined);
    expect(await records.find('not-a-call-id')).to.equal(undefined);
  });

  it('given the database unreachable, then recording fails (the consumer retries it) instead of claiming it was written', async function () {
    const dead = createSql({ url: testEnv.databaseUrl.replace(/:(\d+)\//, ':1/'), poolSize: 1, log: silentLogger });
    try {
      const error = await new PgCallRecordRepository(dead).insertOnce(answeredCall()).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(Error);
      expect(String(error)).to.match(/ECONNREFUSED|connect/);
    } finally {
      await dead.end();
    }
  });
});
