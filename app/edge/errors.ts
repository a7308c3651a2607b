import { AppError, NotFoundError } from '../shared/kernel';

export class SipBanNotFoundError extends NotFoundError {
  constructor(address: string) {
    super('SIP_BAN.NOT_FOUND', `no ban of ${address} at the edge`, { address });
  }
}

// The edge did not answer its RPC in time, or answered something that is not JSON-RPC.
export class EdgeUnreachableError extends AppError {
  constructor(target: string, cause?: unknown) {
    super('EDGE.UNREACHABLE', `the edge's RPC at ${target} did not answer`, 'unavailable', { target }, { cause });
  }
}

// The edge answered with a JSON-RPC error (code as Kamailio gives it: 404 for a missing key, ...).
export class EdgeRpcError extends AppError {
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    message: string,
  ) {
    super('EDGE.RPC_FAILED', `the edge refused ${method}: ${message}`, 'unavailable', { method, rpcCode });
  }
}
