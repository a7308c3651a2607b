import { type Logger } from '../shared/infra/logger';
import { type Call, type Party } from './call';
import { type AdmissionDecision, type Refusal } from './call-admission-port';
import { type CallContext } from './call-context';
import { endCall } from './call-teardown';

// ---- [call-policy hooks] What the call setup asks the admission rules (app/call-policy), kept
// here so that call-setup.ts only calls them. Without rules (no `admission` dependency), every
// call is allowed.

const ALLOWED = { kind: 'allowed' } as const;

const callerOf = (call: Call): Party => {
  const { channelId: _channel, ...caller } = call.caller;
  return caller;
};

// Emergency, refused with its cause, or allowed: before any number validation, routing or billing.
// An emergency call is marked as such from here on.
export async function admissionOf(ctx: CallContext, call: Call): Promise<AdmissionDecision> {
  const admission = ctx.deps.admission;
  if (!admission) return ALLOWED;
  const decision = await admission.admit({ callId: call.id, caller: callerOf(call), dialed: call.dialed, at: ctx.deps.clock.now() });
  if (decision.kind === 'emergency') call.emergency = true;
  return decision;
}

// May this user be rung (suspended callees may not)?
export async function calleeAdmissionOf(ctx: CallContext, call: Call, callee: Party): Promise<Refusal | typeof ALLOWED> {
  return (await ctx.deps.admission?.admitCallee({ callId: call.id, callee })) ?? ALLOWED;
}

// The blocklist, fraud caps and PSTN limit of an outbound call, before routing and billing.
export async function pstnAdmissionOf(ctx: CallContext, call: Call, destination: string): Promise<Refusal | { kind: 'allowed'; presentation?: 'restricted' }> {
  return (await ctx.deps.admission?.admitPstn({ callId: call.id, caller: callerOf(call), dialed: call.dialed, destination, at: ctx.deps.clock.now() })) ?? ALLOWED;
}

// Ends a call the rules refused, with its own cause and SIP response.
export async function refuse(ctx: CallContext, call: Call, refusal: Refusal, log: Logger): Promise<void> {
  log.info('call refused by policy', { cause: refusal.cause, reason: refusal.reason });
  await endCall(ctx, call, refusal.cause, log, { sipCode: refusal.sipCode, reason: refusal.reason });
}
