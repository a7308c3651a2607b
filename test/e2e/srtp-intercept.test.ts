import { expect } from 'chai';
import { join } from 'node:path';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { startBaresip, type Baresip } from '../support/baresip';
import { activateWarrant, audioOf, createAgency, interceptAppEnv, storedRecordings } from '../support/intercept/intercept-client';
import { tonePower } from '../support/intercept/sox';
import { PROJECT_ROOT, testEnv } from '../support/test-env';

// The caller's and the callee's tones: each direction of the recording is told apart by its frequency.
const CALLER_HZ = 700;
const CALLEE_HZ = 1100;
const hour = 3600_000;

// SDES-SRTP between the phones and the switch (baresip, srtp module): the switch terminates SRTP,
// so it holds the media in clear and lawful intercept records both directions of an encrypted call.
// (What crosses the wire on the edge's public side: test/fleet/fleet-tls.test.ts.)
describe('e2e: intercept of an SRTP call', function () {
  this.timeout(120_000);
  let app: AppProcess;
  const phones: Baresip[] = [];

  before(async function () {
    app = await AppProcess.start({ ...interceptAppEnv(), INTERCEPT_TICK_MS: '300' });
  });

  after(async function () {
    await Promise.all(phones.map((phone) => phone.stop()));
    await app?.stop();
  });

  const phone = (user: TestUser, port: number, toneHz: number, mediaenc: 'srtp' | 'srtp-mand', commands?: string[]): Baresip => {
    const started = startBaresip({
      name: user.username,
      username: user.username,
      password: user.password,
      // Over TLS to the profile's edge: the edge takes SDES keys out of every SDP of a plain transport.
      edgeIp: `${testEnv.all.SIP_HOST}:${testEnv.all.EDGE_TLS_PORT}`,
      transport: 'tls',
      caFile: join(PROJECT_ROOT, '.local', 'certs', 'ca.crt'),
      mediaenc,
      listen: `127.0.0.1:${port}`,
      netInterface: '127.0.0.1',
      toneHz,
      ...(commands ? { commands, quitAfterS: 12 } : {}),
    });
    phones.push(started);
    return started;
  };

  it('given a content warrant on alice, when she calls bob with SRTP on both legs, then the recording holds her tone from her and his tone to her', async function () {
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    const agency = await createAgency('SRTP agency');
    const warrantId = await activateWarrant({ agencyId: agency.id, targets: [{ type: 'sipUsername', value: alice.username }], content: true, validFrom: new Date(Date.now() - hour).toISOString(), validUntil: new Date(Date.now() + hour).toISOString() });
    const base = Number(process.env.TEST_PORT_BASE ?? 41500) + 900;
    const callee = phone(bob, base, CALLEE_HZ, 'srtp');
    await callee.waitFor(/\{0\/TLS\/v4\} 200 OK/, 30_000);
    const caller = phone(alice, base + 10, CALLER_HZ, 'srtp-mand', [`/dial ${bob.username}`]);
    await caller.waitFor(/established/i, 30_000);
    await caller.exited();
    // Both legs negotiated SRTP (baresip says which media encryption a call's stream started).
    expect(caller.output()).to.match(/starting mediaenc 'srtp-mand'/);
    expect(callee.output()).to.match(/starting mediaenc 'srtp'/);

    const [recording] = await storedRecordings(warrantId, agency.token, 1, 40_000);
    const audio = await audioOf(warrantId, recording?.id ?? '', agency.token);
    expect(audio.status).to.equal(200);
    expect(tonePower(audio.wav, 1, CALLER_HZ), 'from alice: her tone').to.be.greaterThan(10 * tonePower(audio.wav, 1, CALLEE_HZ));
    expect(tonePower(audio.wav, 2, CALLEE_HZ), "to alice: bob's tone").to.be.greaterThan(10 * tonePower(audio.wav, 2, CALLER_HZ));
  });
});
