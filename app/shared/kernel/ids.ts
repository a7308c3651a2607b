import { randomUUID } from 'node:crypto';

export type CallId = string & { readonly __brand: 'CallId' };

export const newCallId = (): CallId => randomUUID() as CallId;

// ARI channel ids we assign ourselves, so that events arriving before the HTTP response can be
// matched to the leg we asked for.
export const newChannelId = (): string => randomUUID();
