import { type RtpQuality } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { type SwitchControl } from './ports';

// Both sides' RTP figures, read just before the call is torn down. The side that hung up may already
// be gone: its figures are then read from the side still up, where Asterisk left them.
export async function qualityOf(
  control: SwitchControl,
  callerChannelId: string,
  calleeChannelId: string,
  log: Logger,
): Promise<{ caller?: RtpQuality; callee?: RtpQuality }> {
  const quietly = (channelId: string, read: Promise<RtpQuality | undefined>): Promise<RtpQuality | undefined> =>
    read.catch((error: unknown) => {
      log.debug('no rtp statistics', { channelId, error: errorMessage(error) });
      return undefined;
    });
  const [caller, callee] = await Promise.all([
    quietly(callerChannelId, control.rtpQuality(callerChannelId)),
    quietly(calleeChannelId, control.rtpQuality(calleeChannelId)),
  ]);
  const [callerFromPeer, calleeFromPeer] = await Promise.all([
    caller || !callee ? undefined : quietly(calleeChannelId, control.rtpQualityOfGonePeer(calleeChannelId)),
    callee || !caller ? undefined : quietly(callerChannelId, control.rtpQualityOfGonePeer(callerChannelId)),
  ]);
  const callerQuality = caller ?? callerFromPeer;
  const calleeQuality = callee ?? calleeFromPeer;
  return { ...(callerQuality ? { caller: callerQuality } : {}), ...(calleeQuality ? { callee: calleeQuality } : {}) };
}
