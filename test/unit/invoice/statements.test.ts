import { expect } from 'chai';
import { invoiceIdOf } from '../../../app/invoice/invoice';
import { InvoiceService } from '../../../app/invoice/invoice-service';
import { nextPeriod, openPeriodAt } from '../../../app/invoice/statement-period';
import { silentLogger } from '../../../app/shared/infra/logger';
import { CALLER, endedCall, FakeSettlement, MemoryDatabase, MemoryEventApplication, MemoryInvoiceStore } from './fakes';

const HOUR_MS = 3_600_000;

function setUp() {
  const db = new MemoryDatabase();
  const time = { now: new Date('2026-11-20T12:00:00.000Z') };
  const service = new InvoiceService({
    application: new MemoryEventApplication(db),
    settlement: new FakeSettlement(),
    store: new MemoryInvoiceStore(db),
    log: silentLogger,
    clock: { now: () => time.now },
  });
  const statement = (period: string) => db.invoices.get(invoiceIdOf(CALLER.userId, period, 'USD'));
  return { db, service, time, statement };
}

describe('monthly statements: closing and late calls', function () {
  it('given a month and its grace hour, then the open period is that month until the hour has passed; periods roll over the year', function () {
    expect(openPeriodAt(new Date('2026-12-01T00:59:59.999Z'), HOUR_MS)).to.equal('2026-11');
    expect(openPeriodAt(new Date('2026-12-01T01:00:00.000Z'), HOUR_MS)).to.equal('2026-12');
    expect(nextPeriod('2026-12')).to.equal('2027-01');
    expect(nextPeriod('2026-09')).to.equal('2026-10');
    expect(() => nextPeriod('2026-9')).to.throw(RangeError);
  });

  it('given an open statement of last month, when the close runs, then it is closed only after the grace hour, and a second run closes nothing', async function () {
    const { service, time, statement } = setUp();
    await service.invoiceCall(endedCall({ at: '2026-11-20T10:00:00.000Z' }));
    time.now = new Date('2026-12-01T00:30:00.000Z');
    expect(await service.closeStatements(), 'within the grace hour').to.equal(0);
    expect(statement('2026-11')?.closedAt).to.equal(undefined);
    time.now = new Date('2026-12-01T01:05:00.000Z');
    expect(await service.closeStatements()).to.equal(1);
    expect(statement('2026-11')?.closedAt).to.deep.equal(time.now);
    expect(await service.closeStatements(), 'idempotent').to.equal(0);
  });

  it('given a closed statement, when a late call of its month is invoiced, then its line goes on the next open statement with its real date and the closed one is unchanged', async function () {
    const { db, service, time, statement } = setUp();
    await service.invoiceCall(endedCall({ at: '2026-11-20T10:00:00.000Z' }));
    time.now = new Date('2026-12-02T09:00:00.000Z');
    await service.closeStatements();
    const closedBefore = statement('2026-11');
    const late = endedCall({ at: '2026-11-30T23:50:00.000Z' });
    await service.invoiceCall(late);
    expect(statement('2026-11')).to.deep.equal(closedBefore);
    expect(statement('2026-12')).to.include({ lineCount: 1 });
    expect(db.lines.find((line) => line.callId === late.callId)).to.deep.include({ period: '2026-12', startedAt: new Date('2026-11-30T23:50:00.000Z') });
  });

  it('given a call of a month that is over and has no statement yet, then no statement is opened for that month: the line goes on the open month', async function () {
    const { db, service, time, statement } = setUp();
    time.now = new Date('2026-12-05T09:00:00.000Z');
    await service.invoiceCalls([endedCall({ at: '2026-10-10T10:00:00.000Z' }), endedCall({ at: '2026-12-04T10:00:00.000Z' })]);
    expect(statement('2026-10')).to.equal(undefined);
    expect(statement('2026-12')).to.include({ lineCount: 2 });
    expect(db.lines.map((line) => line.period)).to.deep.equal(['2026-12', '2026-12']);
  });

  it("given the current month's statement was closed by an instance whose clock is ahead, then a line goes on the month after", async function () {
    const { service, time, statement } = setUp();
    await service.invoiceCall(endedCall({ at: '2026-11-20T10:00:00.000Z' }));
    time.now = new Date('2026-12-01T02:00:00.000Z');
    await service.closeStatements();
    time.now = new Date('2026-11-30T23:00:00.000Z');
    await service.invoiceCall(endedCall({ at: '2026-11-30T22:00:00.000Z' }));
    expect(statement('2026-11')).to.include({ lineCount: 1 });
    expect(statement('2026-12')).to.include({ lineCount: 1 });
  });
});
