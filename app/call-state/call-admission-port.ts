import { type Party } from './call';
import { type CarrierTarget } from './ports';
import { type EndCause } from './states';

// ---- [call-policy] What the call admission rules (app/call-policy) decide about a new call from
// a user, before any number validation, routing or billing: an emergency call (routed to the
// emergency carriers of the caller's country, whatever the caller's balance, plan, suspension or
// limits), a refusal with its cause and SIP response, or a call allowed to go on the usual way.

export interface AdmissionRequest {
  callId: string;
  caller: Party;
  // As the caller sent it: a username, a national or E.164 number, an emergency or short number.
  dialed: string;
  at: Date;
}

export type AdmissionDecision =
  // carriers: the emergency carriers of `country`, in the order to try them (none: 503).
  | { kind: 'emergency'; country: string; number: string; carriers: CarrierTarget[] }
  | { kind: 'refused'; cause: EndCause; sipCode: number; reason: string }
  | { kind: 'allowed' };

export type Refusal = Extract<AdmissionDecision, { kind: 'refused' }>;

// A live call as the admission rules see it (its per-user slots).
export interface AdmittedCall {
  id: string;
  caller: Party;
  // An outbound PSTN call holds a slot of the caller's PSTN limit too.
  pstn: boolean;
  // A user rung (on-net or from the phone network) holds a slot of its own limit of all calls.
  callee?: Party;
}

export interface CallAdmission {
  // Takes the caller's slot of its concurrent-call limit when it allows the call (none is taken
  // for an emergency call or a refusal).
  admit(request: AdmissionRequest): Promise<AdmissionDecision>;
  // An outbound call to this E.164 destination, before routing and billing: the blocklist, the
  // caller's fraud caps and its PSTN concurrent-call limit (a slot taken when allowed).
  // presentation 'restricted': the caller's number is withheld from the callee (CLIR).
  admitPstn(request: AdmissionRequest & { destination: string }): Promise<Refusal | { kind: 'allowed'; presentation?: 'restricted' }>;
  // The call ended (any instance may say so): its slots are given back.
  released(call: AdmittedCall): Promise<void>;
  // Live calls this instance drives: their slots are held again (after a restart, and before they expire).
  hold(calls: AdmittedCall[]): Promise<void>;
  // May this user be rung (on-net, or from the phone network)? Takes a slot of the callee's own
  // concurrent-call limit (incoming calls count too) when allowed. 'emergency' is never answered here.
  admitCallee(request: { callId: string; callee: Party }): Promise<Exclude<AdmissionDecision, { kind: 'emergency' }>>;
}
