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
}
