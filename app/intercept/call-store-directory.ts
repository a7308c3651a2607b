import { type Call } from '../call-state';
import { type LiveCall, type LiveCallDirectory, type WarrantTarget } from './ports';
import { matchesIdentity } from './warrant';

// The part of the call store (app/call-state's CallStore) the directory reads.
export interface LiveCallSource {
  liveCalls(): Promise<Call[]>;
  get(callId: string): Promise<Call | undefined>;
}

function toLiveCall(call: Call): LiveCall | undefined {
  if (call.state.name === 'ended') return undefined;
  const { channelId, ...caller } = call.caller;
  const answeredLeg = call.state.name === 'answered' ? call.answeredLeg : undefined;
  return {
    callId: call.id,
    caller,
    callerChannelId: channelId,
    ...(call.callee ? { callee: call.callee } : {}),
    ...(answeredLeg ? { calleeChannelId: answeredLeg } : {}),
    answered: call.state.name === 'answered',
  };
}

// Live calls from the shared call store (Redis): main passes the store in. A scan of every live
// call, which happens only when a warrant starts or changes, never per call.
export function liveCallDirectoryOf(store: LiveCallSource): LiveCallDirectory {
  return {
    async liveCallsOf(targets: WarrantTarget[]): Promise<LiveCall[]> {
      const calls = (await store.liveCalls()).map(toLiveCall).filter((call): call is LiveCall => call !== undefined);
      return calls.filter((call) => matchesIdentity(targets, call.caller) || matchesIdentity(targets, call.callee));
    },
    async find(callId: string): Promise<LiveCall | undefined> {
      const call = await store.get(callId);
      return call && toLiveCall(call);
    },
  };
}
