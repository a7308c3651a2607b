import { expect } from 'chai';
import { type Browser, type Page } from 'puppeteer-core';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { launchBrowser, login, openPage, screenshot } from '../support/browser';
import { answerOn, call, device, register } from '../support/devices';
import { createOperator, type TestOperator } from '../support/operators';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser } from '../support/pstn';
import { finalCode } from '../support/sipp';
import { testEnv } from '../support/test-env';

// Browser-side reads are passed as text: the test's TypeScript has no DOM types.
const inPage = async <T>(page: Page, expression: string): Promise<T> => (await page.evaluate(expression)) as T;
const text = (page: Page, selector: string): Promise<string> => inPage(page, `document.querySelector(${JSON.stringify(selector)}).textContent`);

// The console in Debian's chromium against the real stack: the app, Asterisk, sipp devices.
describe('e2e: the operations console in a browser', function () {
  this.timeout(180_000);
  let app: AppProcess;
  let browser: Browser;
  let admin: TestOperator;
  let billing: TestOperator;
  let support: TestOperator;
  let alice: TestUser;
  let bob: TestUser;

  before(async function () {
    app = await AppProcess.start({
      ALARM_INTERVAL_SECONDS: '1',
      ALARM_CARRIER_ASR_MIN_CALLS: '3',
      CARRIER_PROGRESS_TIMEOUT_SECONDS: '2',
      ROUTING_EXPLORATION_RATE: '0',
      ROUTING_REFRESH_MS: '200',
    });
    browser = await launchBrowser();
    admin = await createOperator('admin', 'console-admin');
    billing = await createOperator('billing', 'console-billing');
    support = await createOperator('support', 'console-support');
    alice = await createUser('calice');
    bob = await createUser('cbob');
  });

  after(async function () {
    await browser?.close();
    await app?.stop();
  });

  it('given no session, when a console page or its API is asked for, then the login page or 401; after a login the overview shows', async function () {
    const res = await fetch(`${testEnv.adminUrl}/console/`, { redirect: 'manual' });
    expect(res.status).to.equal(303);
    expect(res.headers.get('location')).to.equal('/console/login');
    expect((await fetch(`${testEnv.adminUrl}/console/api/live`)).status).to.equal(401);
    const page = await login(browser, admin);
    await page.waitForSelector('[data-testid=live-count]');
    expect(await inPage(page, "document.querySelector('main').dataset.page")).to.equal('overview');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await screenshot(page, 'overview');
  });

  it('given a session cookie, then a change without its CSRF token is refused with 403 and the same change with it goes through', async function () {
    const loggedIn = await fetch(`${testEnv.adminUrl}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin.username, password: admin.password }) });
    const cookie = (loggedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(loggedIn.headers.get('set-cookie')).to.match(/HttpOnly/).and.match(/SameSite=Strict/);
    const { csrfToken } = (await loggedIn.json()) as { csrfToken: string };
    const create = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${testEnv.adminUrl}/v1/operators/me/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'csrf' }) });
    const refused = await create({});
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { code: string }).code).to.equal('AUTH.CSRF');
    expect((await create({ 'x-csrf-token': 'not-the-token' })).status).to.equal(403);
    expect((await create({ 'x-csrf-token': csrfToken })).status).to.equal(201);
    expect((await fetch(`${testEnv.adminUrl}/v1/calls`, { headers: { cookie } })).status, 'a read needs no token').to.equal(200);
  });

  // Within 2 s although the feed reads the call store again only every 10 s unless a call event
  // comes (app/admin-api/console/live-feed.ts): the call's events bring it.
  it('given a call between two users, then it shows on Live calls within 2 s, and hung up from the console it ends (sipp sees the BYE)', async function () {
    const page = await login(browser, admin);
    await openPage(page, 'live');
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const caller = call(aliceDevice, bob.username, { hangup: 'callee', holdMs: 60_000, audio: false });
    const [live] = await eventually(async () => ((await api('GET', `/v1/calls?user=${alice.username}`)).body.calls as { id: string; state: string }[]), (calls) => calls.some((c) => c.state === 'answered'), 15_000);
    const listedAt = Date.now();
    await page.waitForSelector(`tr[data-call-id="${live!.id}"]`, { timeout: 2000 });
    expect(Date.now() - listedAt).to.be.below(2000);
    expect(await text(page, `tr[data-call-id="${live!.id}"]`)).to.include(alice.username).and.include(bob.username);
    await screenshot(page, 'live-calls');
    await page.click(`tr[data-call-id="${live!.id}"] button.danger`);
    const [callerResult] = await Promise.all([caller.done, callee.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(callerResult.received.some((line) => line.startsWith('BYE ')), 'the caller got a BYE').to.equal(true);
    await page.waitForFunction(`!document.querySelector('tr[data-call-id="${live!.id}"]')`, { timeout: 5000 });
  });

  it('given calls of a user, when the history is searched by that user, then it lists them and its CSV export has the same rows', async function () {
    const records = await eventually(async () => (await api('GET', `/v1/call-records?user=${alice.id}`)).body.records as { callId: string }[], (rows) => rows.length >= 1, 15_000);
    const page = await login(browser, support);
    await openPage(page, 'history');
    await page.type('input[name=user]', alice.username);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('table.records tbody tr');
    const shown = await inPage<string[]>(page, "[...document.querySelectorAll('table.records tbody tr')].map((row) => row.getAttribute('data-call-id'))");
    expect(shown).to.deep.equal(records.map((r) => r.callId));
    // The export link of the current search, fetched by the page (its session cookie).
    const csv = await inPage<string>(page, "fetch(document.querySelector('a[download]').getAttribute('href')).then((res) => res.text())");
    expect(csv.trimEnd().split('\n').slice(1).map((line) => line.split(',')[0])).to.deep.equal(shown);
    await page.click('table.records tbody tr button.link');
    await page.waitForSelector('aside.detail ol.ladder li');
    await screenshot(page, 'call-history');
  });

  it('given a billing operator, when it tops a user up in the console, then the balance shown changes and the audit log names the operator', async function () {
    const page = await login(browser, billing);
    await openPage(page, 'users');
    await page.type('input[name=user]', alice.username);
    await page.click('form[role=search] button[type=submit]');
    await page.waitForSelector('[data-testid=balance-amount]');
    const before = parseFloat(await text(page, '[data-testid=balance-amount]'));
    await page.type('input[name=amount]', '2.50');
    await page.click('[data-testid=top-up]');
    await page.waitForFunction(`parseFloat(document.querySelector('[data-testid=balance-amount]').textContent) === ${before + 2.5}`, { timeout: 5000 });
    await screenshot(page, 'users-and-balances');
    const entries = (await api('GET', `/v1/audit?action=balance.top_up&target=user:${alice.id}`)).body.entries as { operator: string; role: string; details: { amount: string } }[];
    expect(entries[0]).to.deep.include({ operator: billing.username, role: 'billing' });
    expect(entries[0]!.details.amount).to.equal('2.50');
  });

  it('given a support operator, then the users page has no top-up, and a top-up sent anyway gets 403', async function () {
    const page = await login(browser, support);
    await openPage(page, 'users');
    await page.type('input[name=user]', alice.username);
    await page.click('form[role=search] button[type=submit]');
    await page.waitForSelector('.user h2');
    expect(await page.$('[data-testid=top-up]')).to.equal(null);
    // From the page itself: its session cookie and CSRF token, as the console would send them.
    const status = await inPage<number>(page, `(async () => {
      const session = await (await fetch('/console/api/session')).json();
      const res = await fetch('/v1/users/${alice.id}/balance', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ amount: '1.00', currency: 'USD', reference: 'support-try' }) });
      return res.status;
    })()`);
    expect(status).to.equal(403);
    const withToken = await fetch(`${testEnv.adminUrl}/v1/users/${alice.id}/balance`, { method: 'POST', headers: { authorization: `Bearer ${support.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ amount: '1.00', currency: 'USD', reference: 'support-try-2' }) });
    expect(withToken.status).to.equal(403);
  });

  it('given an outbound call through a carrier, then Live calls shows its carrier and node and filters on them, the carriers page counts it in flight, and afterwards charts its prefix', async function () {
    await payingUser(bob.id, ['44,0.60,,1,1,,']);
    const carrier = await createCarrier(`live-${Date.now().toString(36)}`);
    await importCarrierRates(carrier, ['44,0.01']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const bobDevice = device(bob);
    await register(bobDevice);
    const page = await login(browser, admin);
    await openPage(page, 'live');
    const far = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const caller = call(bobDevice, '+442071838770', { hangup: 'callee', holdMs: 60_000, audio: false });
    const [live] = await eventually(async () => ((await api('GET', `/v1/calls?user=${bob.username}`)).body.calls as { id: string; state: string }[]), (calls) => calls.some((c) => c.state === 'answered'), 15_000);
    const row = `tr[data-call-id="${live!.id}"]`;
    await page.waitForFunction(`document.querySelector('${row} td.carrier')?.textContent === ${JSON.stringify(carrier.name)}`, { timeout: 2000 });
    const node = await text(page, `${row} td.node`);
    expect(node).to.not.equal('');
    await page.select('select[name=carrier]', carrier.id);
    await page.select('select[name=node]', node);
    expect(await page.$(row), 'kept by its carrier and node').to.not.equal(null);
    await page.type('input[name=user]', 'nobody-by-that-name');
    await page.waitForFunction(`!document.querySelector('${row}')`, { timeout: 2000 });
    await page.click('input[name=user]', { count: 3 });
    await page.keyboard.press('Backspace');
    await page.waitForSelector(row, { timeout: 2000 });
    await screenshot(page, 'live-calls-carrier');
    await openPage(page, 'carriers');
    await page.waitForFunction(`document.querySelector('tr[data-carrier="${carrier.name}"] [data-testid=in-flight]')?.textContent.startsWith('1 / ')`, { timeout: 5000 });
    expect((await api('DELETE', `/v1/calls/${live!.id}`)).status).to.equal(202);
    await Promise.all([caller.done, far.done]);
    // The routing consumer's minute of the ended call, charted per destination prefix with the deck's rate.
    await eventually(async () => (await api('GET', `/v1/carriers/${carrier.id}/quality`)).body.prefixes as { prefix: string }[], (prefixes) => prefixes.length > 0, 15_000);
    await page.click(`tr[data-carrier="${carrier.name}"] button.link`);
    await page.waitForSelector(`div.prefixes[data-carrier="${carrier.name}"] tr[data-prefix^="44"]`, { timeout: 10_000 });
    expect(await text(page, `div.prefixes[data-carrier="${carrier.name}"] tr[data-prefix^="44"]`)).to.include('0.0100').and.include('100%');
    await page.waitForSelector(`div.prefixes[data-carrier="${carrier.name}"] figure.chart div[data-points]:not([data-points="0"])`, { timeout: 5000 });
    await screenshot(page, 'carriers-by-prefix');
    expect((await api('DELETE', `/v1/carriers/${carrier.id}`)).status).to.equal(204);
  });

  it('given a carrier that fails every call, then its ASR alarm opens, the overview shows it and its chart on the carriers page has the drop', async function () {
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    const carrier = await createCarrier(`failing-${Date.now().toString(36)}`);
    await importCarrierRates(carrier, ['44,0.01']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const aliceDevice = device(alice);
    await register(aliceDevice);
    for (let i = 0; i < 3; i += 1) {
      const failing = await carrierAnswers(carrier, { kind: 'reject', ringMs: 50, code: 503 });
      const [result] = await Promise.all([call(aliceDevice, `+44207183876${i}`).done, failing.done]);
      expect(finalCode(result)).to.be.at.least(400);
    }
    await eventually(async () => (await api('GET', '/v1/alarms')).body.alarms as { rule: string; subject: string }[], (alarms) => alarms.some((a) => a.rule === 'carrier_asr_low' && a.subject === carrier.id), 20_000);
    const page = await login(browser, admin);
    await page.waitForFunction(`[...document.querySelectorAll('ul.alarms li')].some((li) => li.textContent.includes(${JSON.stringify(carrier.name)}))`, { timeout: 5000 });
    await screenshot(page, 'overview-alarm');
    await openPage(page, 'carriers');
    await page.waitForSelector(`tr[data-carrier="${carrier.name}"]`);
    expect(await text(page, `tr[data-carrier="${carrier.name}"]`)).to.include('0%');
    await page.click(`tr[data-carrier="${carrier.name}"] button.link`);
    await page.waitForSelector(`div[data-carrier="${carrier.name}"] figure.chart div[data-points]:not([data-points="0"])`, { timeout: 10_000 });
    await screenshot(page, 'carriers');
    // Other suites route by the carriers they make themselves: this one goes.
    expect((await api('DELETE', `/v1/carriers/${carrier.id}`)).status).to.equal(204);
    const metrics = await (await fetch(`${testEnv.adminUrl}/metrics`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } })).text();
    // Every series also carries the switch node (a default label).
    expect(metrics).to.match(new RegExp(`^alarm_open\\{rule="carrier_asr_low",subject="${carrier.id}",node="[^"]+"\\} 1$`, 'm'));
  });

  it('given a phone-sized screen, then the overview and live calls fit its width and the navigation is reachable by keyboard', async function () {
    const page = await login(browser, support, { width: 390, height: 844 });
    const overflow = await inPage<number>(page, 'document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).to.be.at.most(0);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-page=live]');
    await screenshot(page, 'phone-live-calls');
  });
});
