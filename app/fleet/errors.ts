import { AppError, type ErrorKind } from '../shared/kernel';

// No node whose switch is up answered a click-to-call (every node down, or unwell, or out of reach).
export class NoSwitchNodeError extends AppError {
  constructor(reason: string) {
    super('CALL.NO_NODE_AVAILABLE', 'no switch node can place the call now', 'unavailable', { reason });
  }
}

// The node that placed (or tried to place) a call refused it: its own error, raised here as it was
// there (same code and kind, e.g. CALL.CALLER_UNREACHABLE), so the operator sees one answer
// whichever instance they reached.
export class NodeRefusedError extends AppError {
  constructor(code: string, message: string, kind: ErrorKind, node: string) {
    super(code, message, kind, { node });
  }
}

// The node took the request but failed, or did not answer in time: the call may have been placed
// there, so it is not placed again elsewhere.
export class PlacementFailedError extends AppError {
  constructor(message: string) {
    super('CALL.PLACEMENT_FAILED', 'the node placing the call did not confirm it', 'unavailable', { reason: message });
  }
}
