import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../../app/call-log';
import { branchesOf, whereOf } from '../../../app/call-log/call-record-query';

describe('call history query', function () {
  it('given no filter, then no WHERE clause and no values', function () {
    expect(whereOf({})).to.deep.equal({ clause: '', values: [] });
  });

  it('given filters, then every value goes in as a parameter, never into the text', function () {
    const { clause, values } = whereOf({ number: "+1' OR 1=1 --", minTalkSeconds: 10, sipCode: 486 });
    expect(clause).to.not.include("OR 1=1");
    expect(values).to.deep.equal(["+1' OR 1=1 --", 486, 10_000]);
    expect(clause).to.equal('WHERE (cr.caller_number = $1 OR cr.callee_number = $1 OR cr.dialed = $1) AND cr.sip_code = $2 AND cr.talk_ms >= $3');
  });

  it('given a cursor, then it reads back as given, and text it did not make is refused', function () {
    const cursor = { requestedAt: new Date('2026-12-07T10:00:00.123Z'), callId: '0b7f3a52-4b8e-4c1d-9e0f-1a2b3c4d5e6f' };
    expect(decodeCursor(encodeCursor(cursor))).to.deep.equal(cursor);
    expect(decodeCursor('garbage')).to.equal(undefined);
    expect(whereOf({}, cursor).clause).to.equal('WHERE (cr.requested_at, cr.call_id) < ($1, $2::uuid)');
  });

  it('given a user and a number, then a page reads one branch per combination of their columns, each leaving out what an earlier one has, with every other filter and the cursor, values as parameters', function () {
    const cursor = { requestedAt: new Date('2026-12-07T10:00:00.123Z'), callId: '0b7f3a52-4b8e-4c1d-9e0f-1a2b3c4d5e6f' };
    const { clauses, values } = branchesOf({ userId: 'u-1', number: '+1415', sipCode: 486 }, cursor);
    expect(values).to.deep.equal([486, cursor.requestedAt, cursor.callId, 'u-1', '+1415']);
    const rest = 'cr.sip_code = $1 AND (cr.requested_at, cr.call_id) < ($2, $3::uuid)';
    const callee = 'cr.callee_number = $5 AND cr.caller_number <> $5';
    const dialed = 'cr.dialed = $5 AND cr.caller_number <> $5 AND cr.callee_number IS DISTINCT FROM $5';
    const calleeUser = 'cr.callee_user_id = $4::uuid AND cr.caller_user_id IS DISTINCT FROM $4::uuid';
    expect(clauses).to.deep.equal([
      `WHERE cr.caller_number = $5 AND cr.caller_user_id = $4::uuid AND ${rest}`,
      `WHERE ${callee} AND cr.caller_user_id = $4::uuid AND ${rest}`,
      `WHERE ${dialed} AND cr.caller_user_id = $4::uuid AND ${rest}`,
      `WHERE cr.caller_number = $5 AND ${calleeUser} AND ${rest}`,
      `WHERE ${callee} AND ${calleeUser} AND ${rest}`,
      `WHERE ${dialed} AND ${calleeUser} AND ${rest}`,
    ]);
  });

  it('given neither a user nor a number, then one branch, the same WHERE as the export', function () {
    expect(branchesOf({ sipCode: 503 })).to.deep.equal({ clauses: ['WHERE cr.sip_code = $1'], values: [503] });
    expect(branchesOf({})).to.deep.equal({ clauses: [''], values: [] });
  });
});
