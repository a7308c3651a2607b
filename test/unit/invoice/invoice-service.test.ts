import { expect } from 'chai';
import { InvoiceService } from '../../../app/invoice/invoice-service';
import { invoiceIdOf } from '../../../app/invoice/invoice';
import { type CallCharge, type CallSettlement } from '../../../app/invoice/ports';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { CALLER, chargeOf, endedCall, FakeSettlement, MemoryDatabase, MemoryEventApplication, MemoryInvoiceStore } from './fakes';

// Invoiced in the middle of November 2026 unless a test says otherwise.
function setUp(settlement: CallSettlement = new FakeSettlement(), now = new Date('2026-11-25T12:00:00.000Z')) {
  const db = new MemoryDatabase();
  const clock = { now: () => now };
  const service = new InvoiceService({ application: new MemoryEventApplication(db), settlement, store: new MemoryInvoiceStore(db), log: silentLogger, clock });
  return { db, service, settlement };
}

describe('invoice service', function () {
  describe('one event per transaction', function () {
    it('given an answered call, when its ended event is invoiced, then billing settles it once and its line lands on the month statement', async function () {
      const { db, service, settlement } = setUp();
      const event = endedCall({ talkMs: 95_000, at: '2026-11-20T10:00:00.000Z' });
      await service.invoiceCall(event);
      expect((settlement as FakeSettlement).settled).to.deep.equal([event.callId]);
      expect(db.lines).to.have.length(1);
      expect(db.lines[0]).to.include({ eventId: event.id, callId: event.callId, period: '2026-11', talkSeconds: 95, billedSeconds: 120, amountMinor: 10n, currency: 'USD' });
      const invoice = db.invoices.get(invoiceIdOf(CALLER.userId, '2026-11', 'USD'));
      expect(invoice).to.include({ totalMinor: 10n, lineCount: 1 });
    });

    it('given the same event delivered twice, then it is settled once and gives one line', async function () {
      const { db, service, settlement } = setUp();
      const event = endedCall();
      await service.invoiceCall(event);
      await service.invoiceCall(event);
      expect((settlement as FakeSettlement).settled).to.have.length(1);
      expect(db.charges).to.have.length(1);
      expect(db.lines).to.have.length(1);
    });

    it('given an unanswered call billing does not charge, then it is marked processed and leaves no line', async function () {
      const { db, service } = setUp();
      const event = endedCall({ answered: false });
      await service.invoiceCall(event);
      expect(db.processed.has(event.id)).to.be.true;
      expect(db.lines).to.be.empty;
    });

    it('given billing fails, then the invoicing rejects and nothing is kept, so a redelivery can apply it', async function () {
      const settlement = new FakeSettlement();
      const { db, service } = setUp(settlement);
      const event = endedCall();
      settlement.failFor.add(event.callId);
      await service.invoiceCall(event).then(
        () => expect.fail('should reject'),
        (error: Error) => expect(error.message).to.match(/billing failed/),
      );
      expect(db.processed.has(event.id)).to.be.false;
      settlement.failFor.clear();
      await service.invoiceCall(event);
      expect(db.lines).to.have.length(1);
      expect(db.charges).to.have.length(1);
    });

    it('given a second event id for an already invoiced call, then no second line is added', async function () {
      const { db, service } = setUp();
      const event = endedCall();
      await service.invoiceCall(event);
      await service.invoiceCall({ ...event, id: 'another-event-id' });
      expect(db.lines).to.have.length(1);
      expect([...db.invoices.values()][0]).to.include({ lineCount: 1 });
    });
  });

  describe('batches', function () {
    it('given a batch with an event twice and one applied before, then each call is settled once, in one transaction', async function () {
      const { db, service, settlement } = setUp();
      const earlier = endedCall();
      await service.invoiceCall(earlier);
      const fresh = [endedCall(), endedCall(), endedCall({ answered: false })];
      const before = db.transactions;
      const outcome = await service.invoiceCalls([earlier, fresh[0]!, fresh[1]!, fresh[0]!, fresh[2]!]);
      expect(db.transactions - before).to.equal(1);
      expect(outcome).to.deep.equal({ applied: 3, lines: 2 });
      expect((settlement as FakeSettlement).settled).to.have.length(4);
      expect((settlement as FakeSettlement).settled).to.have.members([earlier.callId, fresh[0]!.callId, fresh[1]!.callId, fresh[2]!.callId]);
      expect(db.lines.map((line) => line.callId)).to.have.members([earlier.callId, fresh[0]!.callId, fresh[1]!.callId]);
      expect([...db.invoices.values()]).to.have.length(1);
      expect([...db.invoices.values()][0]).to.include({ lineCount: 3, totalMinor: 30n });
    });

    it('given calls of two months invoiced while both are open (in the first hour of the second), then each month has its own statement', async function () {
      const { db, service } = setUp(new FakeSettlement(), new Date('2026-11-01T00:30:00.000Z'));
      await service.invoiceCalls([endedCall({ at: '2026-10-31T23:59:00.000Z' }), endedCall({ at: '2026-11-01T00:00:01.000Z' }), endedCall({ at: '2026-11-15T12:00:00.000Z' })]);
      const byPeriod = Object.fromEntries([...db.invoices.values()].map((invoice) => [invoice.period, invoice.lineCount]));
      expect(byPeriod).to.deep.equal({ '2026-10': 1, '2026-11': 2 });
    });

    it('given billing offers settleMany, then the batch settles the fresh events with one call', async function () {
      const calls: string[][] = [];
      const settlement: CallSettlement = {
        settle: () => Promise.reject(new Error('settle() should not be used for a batch')),
        settleMany: (_tx, events: readonly CallEnded[]) => {
          calls.push(events.map((event) => event.callId));
          return Promise.resolve(events.map((event): CallCharge | undefined => (event.answeredAt ? chargeOf(event) : undefined)));
        },
      };
      const { db, service } = setUp(settlement);
      const events = [endedCall(), endedCall({ answered: false }), endedCall()];
      await service.invoiceCalls(events);
      await service.invoiceCalls(events);
      // One call, with the events sorted by caller and call (the order accounts are locked in).
      expect(calls).to.deep.equal([events.map((event) => event.callId).sort()]);
      expect(db.lines).to.have.length(2);
    });

    it('given one event of a batch fails in billing, then the whole batch rejects and nothing of it is kept', async function () {
      const settlement = new FakeSettlement();
      const { db, service } = setUp(settlement);
      const events = [endedCall(), endedCall(), endedCall()];
      settlement.failFor.add(events[1]!.callId);
      await service.invoiceCalls(events).then(
        () => expect.fail('should reject'),
        () => undefined,
      );
      expect(db.processed.size).to.equal(0);
      expect(db.lines).to.be.empty;
      expect(db.charges).to.be.empty;
    });

    it('given settleMany answers with the wrong number of results, then the batch rejects', async function () {
      const settlement: CallSettlement = { settle: () => Promise.resolve(undefined), settleMany: () => Promise.resolve([]) };
      const { service } = setUp(settlement);
      await service.invoiceCalls([endedCall()]).then(
        () => expect.fail('should reject'),
        (error: Error) => expect(error.message).to.match(/settleMany returned 0 results for 1 events/),
      );
    });
  });

  it('given an unknown invoice id, then get() throws INVOICE.NOT_FOUND', async function () {
    const { service } = setUp();
    await service.get('00000000-0000-8000-8000-000000000000').then(
      () => expect.fail('should throw'),
      (error: { code?: string }) => expect(error.code).to.equal('INVOICE.NOT_FOUND'),
    );
  });
});
