import { randomInt } from 'node:crypto';
import { api } from './admin-client';
import { allocatePorts } from './net';
import { carrierInviteScenario, uasScenario, type UasBehaviour } from './sipp/scenarios';
import { runSipp, startSipp, type SippResult, type SippRun } from './sipp';
import { testEnv } from './test-env';

// A carrier run here: a sipp peer on its own loopback port, registered as a carrier through the API.
export interface TestCarrier {
  id: string;
  name: string;
  sipPort: number;
  mediaPort: number;
}

async function ok(res: Promise<{ status: number; body: Record<string, unknown> }>, expected: number, what: string): Promise<Record<string, unknown>> {
  const { status, body } = await res;
  if (status !== expected) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function createCarrier(name: string, overrides: Record<string, unknown> = {}): Promise<TestCarrier> {
  const ports = allocatePorts();
  const body = await ok(
    api('POST', '/v1/carriers', { name, host: '127.0.0.1', port: ports.sip, inboundMatch: `127.0.0.1:${ports.sip}`, ...overrides }),
    201,
    'create carrier',
  );
  return { id: String(body.id), name, sipPort: ports.sip, mediaPort: ports.media };
}

// The carrier's rate deck (what it charges us), e.g. ['44,0.01', '1,0.01'] as prefix,rate_per_minute.
export async function importCarrierRates(carrier: TestCarrier, rows: string[]): Promise<void> {
  const res = await fetch(`${testEnv.adminUrl}/v1/carriers/${carrier.id}/rates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.adminToken}`, 'content-type': 'text/csv' },
    body: ['prefix,rate_per_minute', ...rows].join('\n'),
  });
  if (res.status !== 200) throw new Error(`import carrier rates: ${res.status} ${await res.text()}`);
}

// Removes every carrier (the test database is the tests' own): each test starts from known trunks.
export async function removeAllCarriers(): Promise<void> {
  const { carriers } = (await ok(api('GET', '/v1/carriers'), 200, 'list carriers')) as { carriers: { id: string }[] };
  for (const carrier of carriers) await ok(api('DELETE', `/v1/carriers/${carrier.id}`), 204, 'delete carrier');
}

// The carrier's side of one outbound call: how it answers our INVITE.
export function carrierAnswers(carrier: TestCarrier, behaviour: UasBehaviour): Promise<SippRun> {
  return startSipp({ scenario: uasScenario(behaviour), target: testEnv.sipTarget, localPort: carrier.sipPort, mediaPort: carrier.mediaPort, rtpEcho: true, timeoutSeconds: 60 });
}

// A call from the phone network through this carrier to one of our numbers.
export function carrierCalls(carrier: TestCarrier, to: string, from: string, holdMs = 1500): Promise<SippResult> {
  return runSipp({
    scenario: carrierInviteScenario({ holdMs }),
    target: testEnv.sipTarget,
    localPort: carrier.sipPort,
    mediaPort: carrier.mediaPort,
    service: to,
    variables: { from },
    timeoutSeconds: 60,
  }).done;
}

// A price plan with retail rates, assigned to the user, and a balance to pay with.
export async function payingUser(userId: string, rates: string[], balance = '10.00'): Promise<string> {
  const plan = await ok(api('POST', '/v1/price-plans', { name: `plan-${Date.now().toString(36)}-${randomInt(1e6)}`, currency: 'USD' }), 201, 'create plan');
  const csv = ['prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to', ...rates].join('\n');
  const res = await fetch(`${testEnv.adminUrl}/v1/price-plans/${String(plan.id)}/rates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.adminToken}`, 'content-type': 'text/csv' },
    body: csv,
  });
  if (res.status >= 300) throw new Error(`import rates: ${res.status} ${await res.text()}`);
  await ok(api('PUT', `/v1/users/${userId}/price-plan`, { planId: plan.id }), 200, 'assign plan');
  await ok(api('POST', `/v1/users/${userId}/balance`, { amount: balance, currency: 'USD', reference: `topup-${randomInt(1e9)}` }), 200, 'top up');
  return String(plan.id);
}

// The user part of the Request-URI of the INVITEs a carrier received, e.g. "+442071838750".
export function calledNumbers(result: SippResult): string[] {
  return result.received.filter((line) => line.startsWith('INVITE ')).map((line) => /^INVITE sip:([^@]+)@/.exec(line)?.[1] ?? '');
}
