// Operator commands on a live call, sent to the controller instance that drives it (a node of the
// fleet): the admin API instance an operator reached may not be the one whose switch has the call.
// Request/reply on core NATS (not JetStream): a command is worth acting on only while someone waits.

export type CallCommand =
  | { kind: 'hang_up'; callId: string; reason: string }
  // Click-to-call placed by a node whose switch is up, for a request an operator made elsewhere
  // (the core's admin API, or a node whose switch is down): sent to any such node, not an owner.
  | { kind: 'start_call'; fromUserId: string; to: string };

// done: the owner acted. not_driving: the owner does not drive that call (it ended, or it was not
// adopted yet), so the sender falls back to what it can do itself. failed: the owner tried and
// failed. unreachable: the owner did not answer in time (down, or out of NATS's reach).
// refused: the node acted and the request itself was refused (its AppError's code, message and kind,
// e.g. CALL.CALLER_UNREACHABLE), which the sender raises as its own. unwell: the node cannot place
// calls now (its switch is down): another node may.
export type CallCommandReply =
  | { outcome: 'done'; callId?: string }
  | { outcome: 'not_driving' }
  | { outcome: 'refused'; code: string; message: string; kind: string }
  | { outcome: 'unwell'; message: string }
  | { outcome: 'failed'; message: string }
  | { outcome: 'unreachable'; message: string };

// One subject per controller instance (its INSTANCE_ID, a fleet node's name).
export const callCommandSubject = (instanceId: string): string => `calls.cmd.v1.${instanceId}`;

// Click-to-calls to place: every node whose switch is up answers in one queue group (NATS gives
// each request to one of them); a node whose switch is down leaves the group.
export const CALL_PLACEMENT_SUBJECT = 'calls.place.v1';
export const CALL_PLACEMENT_QUEUE = 'switch-nodes';
