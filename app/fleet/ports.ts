import { type CallCommand, type CallCommandReply } from '../shared/events';

export type StartCall = Extract<CallCommand, { kind: 'start_call' }>;

// The nodes that place click-to-calls (NATS queue group in production): one of those whose switch is
// up gets each request. 'unreachable' means none took it (no responder): nothing was placed.
export interface PlacementBus {
  request(command: StartCall): Promise<CallCommandReply & { node?: string }>;
}
