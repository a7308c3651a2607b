// Operator commands on a live call, sent to the controller instance that drives it (a node of the
// fleet): the admin API instance an operator reached may not be the one whose switch has the call.
// Request/reply on core NATS (not JetStream): a command is worth acting on only while someone waits.

export type CallCommand = { kind: 'hang_up'; callId: string; reason: string };

// done: the owner acted. not_driving: the owner does not drive that call (it ended, or it was not
// adopted yet), so the sender falls back to what it can do itself. failed: the owner tried and
// failed. unreachable: the owner did not answer in time (down, or out of NATS's reach).
export type CallCommandReply =
  | { outcome: 'done' }
  | { outcome: 'not_driving' }
  | { outcome: 'failed'; message: string }
  | { outcome: 'unreachable'; message: string };

// One subject per controller instance (its INSTANCE_ID, a fleet node's name).
export const callCommandSubject = (instanceId: string): string => `calls.cmd.v1.${instanceId}`;
