// What the intercept module needs from the rest of the platform; implemented by adapters that main
// wires in (ARI for media, PostgreSQL for records, directories or S3 for evidence).

export type TargetType = 'user' | 'sipUsername' | 'phoneNumber';

export interface WarrantTarget {
  type: TargetType;
  value: string;
}

// A party of a call as the call events name it.
export interface Identity {
  userId: string;
  username: string;
  phoneNumber: string;
}

// ---- Live calls (main implements it from the call store: see call-store-directory.ts).

export interface LiveCall {
  callId: string;
  caller: Identity;
  callerChannelId: string;
  callee?: Identity;
  // The callee device's channel, once a device answered.
  calleeChannelId?: string;
  answered: boolean;
}

export interface LiveCallDirectory {
  // Live calls in which one of these identities is the caller or the callee.
  liveCallsOf(targets: WarrantTarget[]): Promise<LiveCall[]>;
  // The call if it is still up (a tap needs its channels; retries stop once it is over).
  find(callId: string): Promise<LiveCall | undefined>;
}

// ---- Content: taps on a channel's media (the switch implements it with ARI snoop channels).

// Two directions of one channel, each recorded on its own: `in` is what the tapped party sends,
// `out` what it hears.
export interface Tap {
  inChannelId: string;
  outChannelId: string;
  nameIn: string;
  nameOut: string;
}

export type StoredMedia = { state: 'live' } | { state: 'stored'; wav: Buffer } | { state: 'gone' };

export interface ContentTap {
  // Opens the tap and starts both recordings; all or nothing (a half-open tap is closed again).
  start(channelId: string, tapId: string): Promise<Tap>;
  // Stops recording and closes the tap; a tap already gone counts as stopped.
  stop(tap: Tap): Promise<void>;
  // A finished recording's file; `live` while it is still being written.
  fetch(name: string): Promise<StoredMedia>;
  // Whether the recording is being written now (the switch's live recordings).
  isLive(name: string): Promise<boolean>;
  // Removes a fetched recording from the switch.
  discard(name: string): Promise<void>;
}

// ---- Evidence storage: one independent location (a directory, a bucket).

export interface EvidenceLocation {
  readonly name: string;
  put(key: string, data: Buffer): Promise<void>;
  // undefined: no such object.
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

// ---- Operator alerts (log at error + a counter in main's wiring).

export interface InterceptAlerts {
  contentFailed(details: { warrantId: string; callId: string; interceptId: string; error: string; attempt: number }): void;
  evidenceProblem(details: Record<string, unknown>): void;
}
