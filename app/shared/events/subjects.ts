// Every NATS subject, stream and durable consumer of the platform, in one place.

export const STREAMS = {
  // Every transition of every call (requested ... ended).
  callEvents: { name: 'CALL_EVENTS', subjects: ['call.v1.>'] },
  // Devices registering, refreshing, expiring and unregistering.
  connectionEvents: { name: 'CONNECTION_EVENTS', subjects: ['connection.v1.>'] },
  // Messages a consumer could never process, with the reason.
  deadLetters: { name: 'DEAD_LETTERS', subjects: ['dlq.>'] },
} as const;

export const CALL_SUBJECTS = {
  requested: 'call.v1.requested',
  routed: 'call.v1.routed',
  ringing: 'call.v1.ringing',
  answered: 'call.v1.answered',
  ended: 'call.v1.ended',
} as const;

export const CONNECTION_SUBJECTS = {
  registered: 'connection.v1.registered',
  refreshed: 'connection.v1.refreshed',
  expired: 'connection.v1.expired',
  unregistered: 'connection.v1.unregistered',
} as const;

export type CallSubject = (typeof CALL_SUBJECTS)[keyof typeof CALL_SUBJECTS];
export type ConnectionSubject = (typeof CONNECTION_SUBJECTS)[keyof typeof CONNECTION_SUBJECTS];

export const deadLetterSubject = (consumer: string): string => `dlq.${consumer}`;

// Durable consumers: each name is one independent reader with its own position and acks.
export const CONSUMERS = {
  callRecords: { name: 'call-records', stream: STREAMS.callEvents.name, filterSubject: CALL_SUBJECTS.ended },
  sessions: { name: 'sessions', stream: STREAMS.connectionEvents.name, filterSubject: 'connection.v1.>' },
  // Lawful intercept: every transition of every call (a target's calls are found per event).
  intercept: { name: 'intercept', stream: STREAMS.callEvents.name, filterSubject: 'call.v1.>' },
  // Billing settles each ended call and the invoice service adds its statement line (app/invoice).
  invoices: { name: 'invoices', stream: STREAMS.callEvents.name, filterSubject: CALL_SUBJECTS.ended },
  // The recommendation service's speed layer: each carrier's call quality, as calls end (app/routing).
  routing: { name: 'routing', stream: STREAMS.callEvents.name, filterSubject: CALL_SUBJECTS.ended },
} as const;
