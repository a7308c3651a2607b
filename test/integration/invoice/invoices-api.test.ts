import { randomUUID } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { PDFParse } from 'pdf-parse';
import { createAdminApi, listen } from '../../../app/admin-api';
import { InvoiceListResponse, InvoiceResponse } from '../../../app/admin-api/schemas';
import { createInvoiceModule, type InvoiceService } from '../../../app/invoice';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createUsersModule, type User, type UserService } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';
import { billingFixture, type BillingFixture } from './billing-fixture';
import { endedCall } from './support';

// GET /v1/users/{id}/invoices and GET /v1/invoices/{id} (JSON, HTML, PDF), in-process against
// real PostgreSQL, with statements made by the invoice service from ended calls.
describe('integration: admin API invoices', function () {
  this.timeout(30_000);
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;
  let users: UserService;
  let invoices: InvoiceService;
  let billing: BillingFixture;
  let user: User;
  let invoiceId: string;

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const getJson = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await get(path);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    billing = await billingFixture(db);
    // Each month's calls invoiced in that month (a call of a month that is over would go on the
    // open month's statement).
    const time = { now: new Date('2026-10-31T12:00:00Z') };
    invoices = createInvoiceModule({ db, settlement: billing.settlement, log: silentLogger, consumerName: `test-invoices-api-${randomUUID().slice(0, 8)}`, clock: { now: () => time.now } });
    server = await listen(createAdminApi({ token, users, invoices, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    user = await users.create({ username: uniqueUsername('inv'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    await billing.enrol(user.id);
    const calls = [
      endedCall(user.id, { talkSeconds: 65, at: new Date('2026-10-30T08:00:00Z') }),
      endedCall(user.id, { talkSeconds: 61, at: new Date('2026-11-03T09:15:00Z') }),
      endedCall(user.id, { talkSeconds: 250, at: new Date('2026-11-02T17:45:30Z') }),
      endedCall(user.id, { answered: false, at: new Date('2026-11-04T10:00:00Z') }),
    ];
    for (const call of calls) await billing.prepare(call);
    await invoices.invoiceCalls(calls.slice(0, 1));
    time.now = new Date('2026-11-05T12:00:00Z');
    await invoices.invoiceCalls(calls.slice(1));
    const november = await db.invoice.findFirstOrThrow({ where: { userId: user.id, period: '2026-11' } });
    invoiceId = november.id;
  });

  after(async function () {
    server?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it("given a user's calls over two months, then GET /v1/users/{id}/invoices lists both statements, newest first, in the documented shape", async function () {
    const res = await getJson(`/v1/users/${user.id}/invoices`);
    expect(res.status).to.equal(200);
    expect(InvoiceListResponse.safeParse(res.body).success, JSON.stringify(res.body)).to.be.true;
    const list = res.body.invoices as Array<Record<string, unknown>>;
    expect(list.map((invoice) => [invoice.period, invoice.lineCount, invoice.status])).to.deep.equal([
      ['2026-11', 2, 'open'],
      ['2026-10', 1, 'open'],
    ]);
    expect(list[0]?.id).to.equal(invoiceId);
  });

  it('given a statement, then GET /v1/invoices/{id} returns its lines, rates and totals, which add up', async function () {
    const res = await getJson(`/v1/invoices/${invoiceId}`);
    expect(res.status).to.equal(200);
    const parsed = InvoiceResponse.safeParse(res.body);
    expect(parsed.success, JSON.stringify(res.body)).to.be.true;
    const invoice = parsed.data!;
    expect(invoice).to.include({ userId: user.id, period: '2026-11', lineCount: 2 });
    // Oldest call first.
    expect(invoice.lines.map((line) => line.talkSeconds)).to.deep.equal([250, 61]);
    expect(invoice.totalMinor).to.equal(invoice.lines.reduce((sum, line) => sum + line.amountMinor, 0));
    const digits = invoice.total.split('.')[1]?.length ?? 0;
    expect(invoice.total).to.equal((invoice.totalMinor / 10 ** digits).toFixed(digits));
    for (const line of invoice.lines) {
      expect(Number(line.ratePerMinute)).to.equal(line.ratePerMinuteMicros / 1e6);
      expect(line.billedSeconds).to.be.at.least(line.talkSeconds);
    }
  });

  it('given Accept: text/html, then the statement is a page with the call lines and the total', async function () {
    const res = await get(`/v1/invoices/${invoiceId}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).to.include("default-src 'none'");
    const html = await res.text();
    const json = (await getJson(`/v1/invoices/${invoiceId}`)).body as { total: string; currency: string };
    expect(html).to.include('Statement 2026-11: November 2026');
    expect(html).to.include(`${user.username}, ${user.phoneNumber}`);
    expect(html).to.include('2026-11-02 17:45:30');
    expect(html).to.include('4:10'); // 250 s of talk
    expect(html).to.include(new Intl.NumberFormat('en-US', { style: 'currency', currency: json.currency }).format(Number(json.total)));
  });

  it('given ?format=pdf or Accept: application/pdf, then the statement is a PDF whose text has the lines and the total', async function () {
    for (const res of [await get(`/v1/invoices/${invoiceId}?format=pdf`), await get(`/v1/invoices/${invoiceId}`, { accept: 'application/pdf' })]) {
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/pdf');
      expect(res.headers.get('content-disposition')).to.match(/^inline; filename="invoice-2026-11-[A-Z]{3}\.pdf"$/);
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      const parser = new PDFParse({ data: new Uint8Array(pdf) });
      const { text } = await parser.getText();
      await parser.destroy();
      const json = (await getJson(`/v1/invoices/${invoiceId}`)).body as { total: string; currency: string };
      expect(text).to.include('2026-11-02 17:45:30');
      expect(text).to.include('2 calls');
      expect(text).to.include(`Total: ${new Intl.NumberFormat('en-US', { style: 'currency', currency: json.currency }).format(Number(json.total))}`);
    }
  });

  it('given ?locale=de-DE, then amounts and the month are formatted for Germany', async function () {
    const html = await (await get(`/v1/invoices/${invoiceId}?format=html&locale=de-DE`)).text();
    const json = (await getJson(`/v1/invoices/${invoiceId}`)).body as { total: string; currency: string };
    expect(html).to.include('November 2026');
    expect(html).to.include(new Intl.NumberFormat('de-DE', { style: 'currency', currency: json.currency }).format(Number(json.total)));
  });

  it('given unknown ids, an unacceptable Accept or a bad query, then 404, 406 and 400 with error codes', async function () {
    expect((await getJson('/v1/invoices/00000000-0000-8000-8000-000000000000')).body).to.include({ code: 'INVOICE.NOT_FOUND' });
    expect((await getJson('/v1/invoices/not-a-uuid')).status).to.equal(404);
    const unknownUser = await getJson(`/v1/users/${randomUUID()}/invoices`);
    expect(unknownUser.status).to.equal(404);
    expect(unknownUser.body).to.include({ code: 'USER.NOT_FOUND' });
    const png = await get(`/v1/invoices/${invoiceId}`, { accept: 'image/png' });
    expect(png.status).to.equal(406);
    expect(await png.json()).to.include({ code: 'REQUEST.NOT_ACCEPTABLE' });
    expect((await getJson(`/v1/invoices/${invoiceId}?format=docx`)).status).to.equal(400);
    expect((await getJson(`/v1/invoices/${invoiceId}?locale=xx-%25%25`)).status).to.equal(400);
  });

  it('given a deleted user, then their statements stay readable', async function () {
    await users.delete(user.id);
    const res = await getJson(`/v1/users/${user.id}/invoices`);
    expect(res.status).to.equal(200);
    expect(res.body.invoices).to.have.length(2);
    const html = await (await get(`/v1/invoices/${invoiceId}?format=html`)).text();
    expect(html).to.include(user.id);
  });

  it('without a token, then 401; the OpenAPI document describes both routes', async function () {
    expect((await fetch(`${base}/v1/invoices/${invoiceId}`)).status).to.equal(401);
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.paths['/v1/users/{id}/invoices']?.get?.responses).to.have.keys('200', '401', '404');
    expect(doc.paths['/v1/invoices/{id}']?.get?.responses).to.have.keys('200', '400', '401', '404', '406');
    expect(doc.components.schemas).to.include.keys('Invoice', 'InvoiceList');
  });
});
