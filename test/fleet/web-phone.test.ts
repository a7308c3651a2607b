import { expect } from 'chai';
import { join } from 'node:path';
import { type Browser, type Page } from 'puppeteer-core';
import { createFleetUser, fleetApi, fleetDevice, fleetEnv, registerThroughEdge, type FleetDevice, type FleetUser } from '../support/fleet';
import { tonePcap } from '../support/intercept/tone-pcap';
import { runSipp, statusCodes, type SippRun } from '../support/sipp';
import { uacCallScenario, uasScenario } from '../support/sipp/scenarios';
import { ARTIFACTS, captureAudioTo, dtlsOf, heard, launchPhoneBrowser, logIn, powerAt, registerOverWebsocket, toneWav, waitForCallState } from '../support/web-phone';

// The web phone in a real browser (Debian's chromium, a fake microphone playing a 1000 Hz tone)
// registers over the edge's wss as its user's web identity and calls, and is called by, sipp phones
// playing a 600 Hz tone, through the fleet's edge and nodes. Each side must hear the other's tone:
// the browser in its remote audio (WebAudio), the phone in the RTP that reached it (captured).
const BROWSER_HZ = 1000;
const PHONE_HZ = 600;
// A second browser (its own fake microphone) for browser-to-browser calls.
const OTHER_BROWSER_HZ = 750;

// sipp's stock scenarios play a recorded voice file; these play the phone's tone instead.
const withTone = (scenario: string, pcap: string): string => scenario.replaceAll('/usr/share/sip-tester/g711a.pcap', pcap);
const answeringWithTone = (pcap: string): string =>
  uasScenario({ kind: 'answer', ringMs: 200 }).replace('<recv request="ACK" crlf="true"/>', `<recv request="ACK" crlf="true"/>\n  <nop><action><exec play_pcap_audio="${pcap}"/></action></nop>`);

const onHost = { target: fleetEnv.edgeTarget, localIp: fleetEnv.hostIp };

function expectTone(samples: number[], wanted: number, other: number): void {
  expect(samples.length, 'G.711 samples received by the phone').to.be.greaterThan(8000);
  const tone = powerAt(samples, wanted);
  expect(tone, `power at ${wanted} Hz vs ${other} Hz`).to.be.greaterThan(20 * powerAt(samples, other));
  expect(tone, `power at ${wanted} Hz vs 1700 Hz`).to.be.greaterThan(20 * powerAt(samples, 1700));
}

async function expectHeard(page: Page, wanted: number, other: number): Promise<void> {
  const { peakHz, levels } = await heard(page, [wanted, other]);
  expect(Math.abs(peakHz - wanted), `loudest frequency the browser hears: ${peakHz} Hz`).to.be.lessThan(30);
  const [atWanted = -Infinity, atOther = -Infinity] = levels;
  expect(atWanted, `level at ${wanted} Hz (dB) vs ${other} Hz (${atOther} dB)`).to.be.greaterThan(atOther + 20);
}

describe('fleet: the web phone (WebRTC over wss through the edge)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let page: Page;
  let webUser: FleetUser;
  let sipUser: FleetUser;
  let sipPhone: FleetDevice;
  let running: SippRun[] = [];
  // What a test opened, closed by afterEach whatever the outcome: a capture (tshark child) or a page
  // left open by a failed test would keep mocha from exiting.
  let captures: { stop(): Promise<number[]> }[] = [];
  let pages: Page[] = [];
  const capturing = async (port: number): Promise<{ stop(): Promise<number[]> }> => {
    const capture = await captureAudioTo(port);
    captures.push(capture);
    return capture;
  };
  const loggedIn = async (user: FleetUser): Promise<Page> => {
    const opened = await logIn(browser, user);
    pages.push(opened);
    return opened;
  };
  const phoneTone = tonePcap(PHONE_HZ, 20);

  before(async function () {
    [webUser, sipUser] = await Promise.all([createFleetUser('web'), createFleetUser('sip')]);
    sipPhone = fleetDevice(sipUser);
    browser = await launchPhoneBrowser(toneWav(BROWSER_HZ, 10));
  });

  afterEach(async function () {
    if (page && this.currentTest?.state === 'failed') await page.screenshot({ path: join(ARTIFACTS, `${this.currentTest.title.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}.png`) });
    for (const run of running) run.kill();
    await Promise.all(running.map((run) => run.done));
    running = [];
    await Promise.all(captures.map((capture) => capture.stop().catch(() => [])));
    captures = [];
    // The first test's page stays for the others (it is the registered browser); any other closes.
    await Promise.all(pages.filter((opened) => opened !== page).map((opened) => opened.close()));
    pages = pages.filter((opened) => opened === page);
  });

  after(async function () {
    await Promise.all(pages.map((opened) => opened.close().catch(() => undefined)));
    await browser?.close();
  });

  it('given a user, when they log in to /phone with their SIP credentials, then the browser registers over wss as their web identity', async function () {
    page = await loggedIn(webUser);
    // The registration becomes a session of the user (registration watcher -> JetStream -> sessions).
    const deadline = Date.now() + 15_000;
    let transports: unknown[] = [];
    while (Date.now() < deadline && !transports.includes('wss')) {
      const res = await fleetApi('GET', `/v1/users/${webUser.id}/sessions`);
      transports = ((res.body.sessions ?? []) as { transport?: string }[]).map((session) => session.transport);
      if (!transports.includes('wss')) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(transports, 'the user\'s sessions').to.include('wss');
  });

  it('given the browser registered, when it calls a SIP phone user, then the phone answers and each side hears the other\'s tone', async function () {
    expect(statusCodes(await registerThroughEdge(sipPhone))).to.deep.equal([401, 200]);
    const phone = runSipp({ ...onHost, scenario: answeringWithTone(phoneTone), localPort: sipPhone.sipPort, mediaPort: sipPhone.mediaPort, timeoutSeconds: 90 });
    running.push(phone);
    const capture = await capturing(sipPhone.mediaPort);
    await page.type('#dial input[name=target]', sipUser.username);
    await page.click('#dial button[type=submit]');
    await waitForCallState(page, 'answered');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expectHeard(page, PHONE_HZ, BROWSER_HZ);
    await page.click('#hangup');
    await waitForCallState(page, 'ended');
    const result = await phone.done;
    expect(result.received.some((line) => line.startsWith('BYE ')), 'the phone got the BYE').to.equal(true);
    expectTone(await capture.stop(), BROWSER_HZ, PHONE_HZ);
  });

  it('given a user with a SIP phone and the browser, when a SIP phone user calls them, then both ring, the browser answers (the phone stops ringing) and each side hears the other\'s tone', async function () {
    const callee = await createFleetUser('both');
    const calleePhone = fleetDevice(callee);
    expect(statusCodes(await registerThroughEdge(calleePhone))).to.deep.equal([401, 200]);
    const ringing = runSipp({ ...onHost, scenario: uasScenario({ kind: 'ring' }), localPort: calleePhone.sipPort, mediaPort: calleePhone.mediaPort, timeoutSeconds: 90 });
    running.push(ringing);
    const calleePage = await loggedIn(callee);
    const callerMedia = sipPhone.mediaPort + 40;
    const capture = await capturing(callerMedia);
    const caller = runSipp({
      ...onHost,
      scenario: withTone(uacCallScenario({ hangup: 'caller', holdMs: 9000, audio: true, routed: true }), phoneTone),
      localPort: sipPhone.sipPort + 1,
      mediaPort: callerMedia,
      service: callee.username,
      auth: { username: sipUser.username, password: sipUser.password },
      variables: { caller: sipUser.username },
      timeoutSeconds: 90,
    });
    running.push(caller);
    await waitForCallState(calleePage, 'incoming');
    await calleePage.click('#answer');
    await waitForCallState(calleePage, 'answered');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expectHeard(calleePage, PHONE_HZ, BROWSER_HZ);
    const callerResult = await caller.done;
    expect(callerResult.exitCode, callerResult.errors).to.equal(0);
    await waitForCallState(calleePage, 'ended');
    const ringResult = await ringing.done;
    expect(ringResult.received.some((line) => line.startsWith('INVITE ')), 'the SIP phone rang too').to.equal(true);
    expect(ringResult.received.some((line) => line.startsWith('CANCEL ')), 'and stopped ringing when the browser answered').to.equal(true);
    expectTone(await capture.stop(), BROWSER_HZ, PHONE_HZ);
  });

  it('given a user with a SIP phone and the browser, when the phone answers a call, then the browser stops ringing; when the browser answers the next and hangs up, then the caller gets the BYE', async function () {
    const callee = await createFleetUser('both');
    const calleePhone = fleetDevice(callee);
    expect(statusCodes(await registerThroughEdge(calleePhone))).to.deep.equal([401, 200]);
    const calleePage = await loggedIn(callee);
    const callFrom = (port: number, hangup: 'caller' | 'callee'): SippRun => {
      const run = runSipp({
        ...onHost,
        scenario: uacCallScenario({ hangup, holdMs: hangup === 'caller' ? 1000 : 20_000, audio: false, routed: true }),
        localPort: port,
        mediaPort: port + 2000,
        service: callee.username,
        auth: { username: sipUser.username, password: sipUser.password },
        variables: { caller: sipUser.username },
        timeoutSeconds: 60,
      });
      running.push(run);
      return run;
    };

    // Answered elsewhere: the phone answers after 3 s, the browser's INVITE is cancelled.
    const answering = runSipp({ ...onHost, scenario: uasScenario({ kind: 'answer', ringMs: 3000 }), localPort: calleePhone.sipPort, mediaPort: calleePhone.mediaPort, timeoutSeconds: 60 });
    running.push(answering);
    const first = callFrom(sipPhone.sipPort + 2, 'caller');
    await waitForCallState(calleePage, 'incoming');
    await waitForCallState(calleePage, 'failed');
    expect(await calleePage.evaluate('document.getElementById("call-state").textContent'), 'the browser\'s call state').to.match(/Canceled/i);
    const firstResult = await first.done;
    expect(firstResult.exitCode, firstResult.errors).to.equal(0);
    expect((await answering.done).exitCode, 'the phone answered and got the BYE').to.equal(0);

    // Both ring again; the browser answers and hangs up.
    const ringing = runSipp({ ...onHost, scenario: uasScenario({ kind: 'ring' }), localPort: calleePhone.sipPort, mediaPort: calleePhone.mediaPort, timeoutSeconds: 60 });
    running.push(ringing);
    const second = callFrom(sipPhone.sipPort + 3, 'callee');
    await waitForCallState(calleePage, 'incoming');
    await calleePage.click('#answer');
    await waitForCallState(calleePage, 'answered');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await calleePage.click('#hangup');
    await waitForCallState(calleePage, 'ended');
    const secondResult = await second.done;
    expect(secondResult.exitCode, secondResult.errors).to.equal(0);
    expect(secondResult.received.some((line) => line.startsWith('BYE ')), 'the caller got the browser\'s BYE').to.equal(true);
    expect((await ringing.done).exitCode, 'the phone stopped ringing when the browser answered').to.equal(0);
  });

  it('given two users in two browsers, when one calls the other over wss, then the other answers, the media is DTLS-SRTP and each hears the other\'s tone', async function () {
    const otherUser = await createFleetUser('web2');
    const otherBrowser = await launchPhoneBrowser(toneWav(OTHER_BROWSER_HZ, 10));
    try {
      const otherPage = await logIn(otherBrowser, otherUser);
      // The dial field still holds the earlier test's number.
      await page.evaluate('document.querySelector("#dial input[name=target]").value = ""');
      await page.type('#dial input[name=target]', otherUser.username);
      await page.click('#dial button[type=submit]');
      await waitForCallState(otherPage, 'incoming');
      await otherPage.click('#answer');
      await waitForCallState(otherPage, 'answered');
      await waitForCallState(page, 'answered');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (const side of [page, otherPage]) {
        const security = await dtlsOf(side);
        expect(security.dtlsState, 'DTLS state of the browser\'s transport').to.equal('connected');
        expect(security.srtpCipher, 'SRTP cipher chosen by DTLS').to.match(/AES|AEAD/);
      }
      await expectHeard(page, OTHER_BROWSER_HZ, BROWSER_HZ);
      await expectHeard(otherPage, BROWSER_HZ, OTHER_BROWSER_HZ);
      await page.click('#hangup');
      await waitForCallState(page, 'ended');
      await waitForCallState(otherPage, 'ended');
    } finally {
      await otherBrowser.close();
    }
  });

  it('given the wss port, when a SIP phone identity tries to register over the websocket, then the edge refuses it (a web identity only)', async function () {
    const refused = await registerOverWebsocket(page, `wss://${fleetEnv.edgeIp}:8443`, sipUser.username);
    expect(refused).to.equal('SIP/2.0 403 Browsers use their web identity');
  });
});
