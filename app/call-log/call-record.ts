import { type Attempt, type RtpQuality } from '../shared/events';

// A finished call as the call logs keep it.
export interface CallRecord {
  callId: string;
  caller: { userId: string; username: string; phoneNumber: string };
  callee?: { userId: string; username: string; phoneNumber: string };
  dialed: string;
  requestedAt: Date;
  ringingAt?: Date;
  answeredAt?: Date;
  endedAt: Date;
  talkMs: number;
  endCause: string;
  endReason?: string;
  sipCode?: number;
  direction: string;
  attempts: Attempt[];
  carrierId?: string;
  quality: { caller?: RtpQuality; callee?: RtpQuality };
  history: { state: string; at: string }[];
  // A call to the emergency services.
  emergency?: boolean;
  // The switch node that carried it (the single node's name until there is a fleet).
  node?: string;
  // What the carrier that carried it charges, in micro-units of its deck's currency.
  carrierCost?: { micros: bigint; currency: string };
  // What the user was charged (the statement line billing wrote), in minor units.
  price?: { minor: bigint; currency: string };
}

// Filters of the call history; every one optional, all of them must hold.
export interface CallRecordFilter {
  from?: Date;
  to?: Date;
  // Caller or callee.
  userId?: string;
  // The caller's or callee's number, or the number dialed.
  number?: string;
  direction?: string;
  carrierId?: string;
  endCause?: string;
  sipCode?: number;
  minTalkSeconds?: number;
}

// Where a page ends: the history is sorted by requested time, newest first, then by call id.
export interface CallRecordCursor {
  requestedAt: Date;
  callId: string;
}

// Calls per time bucket (or per carrier): what the console's charts draw.
export interface CallStatsRow {
  at?: Date;
  carrierId?: string;
  calls: number;
  answered: number;
  talkMs: number;
  // Requested to ringing (post-dial delay as the caller hears it), over the calls that rang.
  pddMs: number;
  rang: number;
  // What the carriers charged for these calls, in micro-units of their currency.
  carrierCostMicros: number;
}
