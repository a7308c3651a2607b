import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createInvoiceModule, type InvoiceService } from '../../../app/invoice';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { testEnv } from '../../support/test-env';
import { billingFixture, type BillingFixture } from './billing-fixture';
import { endedCall } from './support';

// The month-end close against PostgreSQL: statements of months that are over are closed (once),
// a late call of a closed month goes on the next open statement, and the database refuses any
// change to a closed statement.
describe('integration: monthly statements close and stay closed', function () {
  this.timeout(30_000);
  let db: Database;
  let billing: BillingFixture;
  let invoices: InvoiceService;
  const time = { now: new Date('2026-10-25T12:00:00.000Z') };

  const statementOf = (userId: string, period: string) => db.invoice.findFirst({ where: { userId, period } });
  const invoice = async (calls: ReturnType<typeof endedCall>[]): Promise<void> => {
    for (const call of calls) await billing.prepare(call);
    await invoices.invoiceCalls(calls);
  };

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    billing = await billingFixture(db);
    invoices = createInvoiceModule({ db, settlement: billing.settlement, log: silentLogger, consumerName: `test-statements-${randomUUID().slice(0, 8)}`, clock: { now: () => time.now } });
  });

  after(async function () {
    await db?.$disconnect();
  });

  it('given statements of October, when the close runs in November past the grace hour, then they are closed once, and a late October call goes on the November statement', async function () {
    const user = await billing.newUser();
    time.now = new Date('2026-10-25T12:00:00.000Z');
    await invoice([endedCall(user, { talkSeconds: 61, at: new Date('2026-10-20T10:00:00Z') }), endedCall(user, { talkSeconds: 30, at: new Date('2026-10-21T10:00:00Z') })]);
    const october = await statementOf(user, '2026-10');
    expect(october).to.include({ lineCount: 2, closedAt: null });

    time.now = new Date('2026-11-01T00:20:00.000Z');
    await invoices.closeStatements();
    expect((await statementOf(user, '2026-10'))?.closedAt, 'still in its grace hour').to.equal(null);
    time.now = new Date('2026-11-02T08:00:00.000Z');
    expect(await invoices.closeStatements()).to.be.at.least(1);
    const closed = await statementOf(user, '2026-10');
    expect(closed?.closedAt).to.deep.equal(time.now);
    expect(await invoices.closeStatements(), 'idempotent').to.equal(0);

    const late = endedCall(user, { talkSeconds: 45, at: new Date('2026-10-31T23:40:00Z') });
    await invoice([late]);
    expect(await statementOf(user, '2026-10')).to.deep.equal(closed);
    const november = await statementOf(user, '2026-11');
    expect(november).to.include({ lineCount: 1, closedAt: null });
    const line = await db.invoiceLine.findUniqueOrThrow({ where: { callId: late.callId } });
    expect(line).to.include({ invoiceId: november?.id, talkSeconds: 45 });
    expect(line.startedAt).to.deep.equal(new Date('2026-10-31T23:40:00Z'));
  });

  it('given a closed statement, then the database refuses to change its totals, add a line to it, or change or remove one of its lines', async function () {
    const user = await billing.newUser();
    time.now = new Date('2026-10-25T12:00:00.000Z');
    const call = endedCall(user, { talkSeconds: 61, at: new Date('2026-10-22T10:00:00Z') });
    await invoice([call]);
    time.now = new Date('2026-11-03T00:00:00.000Z');
    await invoices.closeStatements();
    const closed = await statementOf(user, '2026-10');
    expect(closed?.closedAt).to.not.equal(null);
    const refused = (work: Promise<unknown>) => work.then(() => 'changed', (error: Error) => error.message);
    expect(await refused(db.$executeRaw`UPDATE invoices SET total_minor = total_minor + 1 WHERE id = ${closed?.id}::uuid`)).to.match(/is closed and cannot change/);
    expect(await refused(db.$executeRaw`
      INSERT INTO invoice_lines (invoice_id, event_id, call_id, destination, started_at, talk_seconds, billed_seconds, rate_per_minute_micros, connect_fee_minor, amount_minor, currency)
      VALUES (${closed?.id}::uuid, ${randomUUID()}, ${randomUUID()}::uuid, '+442071234567', now(), 1, 1, 0, 0, 1, 'USD')`)).to.match(/cannot be added to a closed statement/);
    expect(await refused(db.invoiceLine.updateMany({ where: { callId: call.callId }, data: { amountMinor: 0n } }))).to.match(/cannot change/);
    expect(await refused(db.invoiceLine.deleteMany({ where: { callId: call.callId } }))).to.match(/cannot change/);
    expect(await statementOf(user, '2026-10')).to.deep.equal(closed);
  });
});
