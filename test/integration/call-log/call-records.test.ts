import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createCallLogModule } from '../../../app/call-log';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

// An ended call from the phone network, as a carrier that sends odd caller ids could produce it.
function inboundEnded(callerNumber: string, dialed: string): CallEnded {
  const callId = randomUUID();
  return {
    id: randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId,
    occurredAt: '2026-11-25T10:00:05.000Z',
    caller: { userId: '', username: '', phoneNumber: callerNumber },
    dialed,
    cause: 'no_route',
    reason: 'unknown_number_with_a_reason_longer_than_its_column',
    sipCode: 404,
    requestedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:00:05.000Z',
    talkMs: 0,
    carrierId: `carrier-${'x'.repeat(80)}`,
    direction: 'inbound',
    attempts: [],
    quality: {},
    history: [{ state: 'requested', at: '2026-11-25T10:00:00.000Z' }],
  };
}

describe('integration: call records of odd calls', function () {
  let db: Database;
  let sql: Sql;

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
  });

  after(async function () {
    await db.$disconnect();
    await sql.end();
  });

  it('given an ended call whose texts are longer than their columns, when it is recorded, then the record is written with them cut to fit, once', async function () {
    const callLog = createCallLogModule({ sql, log: silentLogger });
    const event = inboundEnded(`+${'9'.repeat(30)}`, '4'.repeat(90));
    await callLog.recordEndedCall(event);
    await callLog.recordEndedCall(event);
    const record = await callLog.find(event.callId);
    expect(record?.caller.phoneNumber).to.equal(`+${'9'.repeat(15)}`);
    expect(record?.dialed).to.equal('4'.repeat(64));
    expect(record?.endReason).to.have.length(32);
    expect(record?.carrierId).to.have.length(64);
    expect(await db.callRecord.count({ where: { callId: event.callId } })).to.equal(1);
  });
});
