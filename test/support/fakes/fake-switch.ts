import { type HandOffRequest, type HangupReason, OriginateRefusedError, type OriginateRequest, type SwitchBridge, type SwitchChannel, type SwitchControl } from '../../../app/call-state';
import { type RtpQuality } from '../../../app/shared/events';

export type SwitchCommand =
  | { kind: 'originate'; request: OriginateRequest }
  | { kind: 'create'; request: OriginateRequest }
  | { kind: 'dial'; channelId: string; callerChannelId: string; timeoutSeconds: number }
  | { kind: 'ring'; channelId: string }
  | { kind: 'progress'; channelId: string }
  | { kind: 'answer'; channelId: string }
  | { kind: 'hangup'; channelId: string; reason: HangupReason }
  | { kind: 'reject'; channelId: string; sipCode: number }
  | { kind: 'playTone'; channelId: string }
  | { kind: 'createBridge'; bridgeId: string }
  | { kind: 'addToBridge'; bridgeId: string; channelIds: string[] }
  | { kind: 'destroyBridge'; bridgeId: string }
  | { kind: 'handOff'; channelId: string; request: HandOffRequest }
  | { kind: 'setHangupDeadline'; channelId: string; at: Date | null };

// A switch that records what the controller told it, and can be told to fail.
export class FakeSwitch implements SwitchControl {
  readonly commands: SwitchCommand[] = [];
  // Endpoints (by suffix) the switch refuses outright (no channel created).
  failOriginateFor = new Set<string>();
  // Endpoints whose originate gets no answer in time: the channel was created all the same.
  timeOutOriginateFor = new Set<string>();
  // This many of the next hang-ups fail (the switch cannot be reached).
  failingHangups = 0;
  failBridging = false;
  // The hang-up deadline the switch holds per channel (null: removed), kept apart from `commands`;
  // failDeadlines: the switch cannot be told one.
  readonly deadlines = new Map<string, Date | null>();
  failDeadlines = false;
  channels: SwitchChannel[] = [];
  bridges: SwitchBridge[] = [];
  quality = new Map<string, RtpQuality>();
  peerQuality = new Map<string, RtpQuality>();
  // Runs after the channel list was taken and before it is returned: what happens meanwhile.
  whileListing: (() => Promise<void>) | undefined;
  // Originates wait for this before the switch answers them (requests in flight).
  originateGate: Promise<void> | undefined;

  // As the real switch dials a device (the tests read these addresses back).
  deviceAddress(username: string, contactUri: string, identity?: string): string {
    return `PJSIP/${identity ?? username}/${contactUri}`;
  }

  async originate(request: OriginateRequest): Promise<void> {
    this.commands.push({ kind: 'originate', request });
    await this.startLeg(request);
  }
  // The failures of originate apply to creating a channel the same way.
  async createChannel(request: OriginateRequest): Promise<void> {
    this.commands.push({ kind: 'create', request });
    await this.startLeg(request);
  }
  dialChannel(channelId: string, options: { callerChannelId: string; timeoutSeconds: number }): Promise<void> {
    this.commands.push({ kind: 'dial', channelId, ...options });
    return Promise.resolve();
  }
  // Hand-offs fail while this is set (the switch cannot be reached).
  failHandOff = false;
  handOff(channelId: string, request: HandOffRequest): Promise<void> {
    this.commands.push({ kind: 'handOff', channelId, request });
    return this.failHandOff ? Promise.reject(new Error('ARI POST /channels/continue failed')) : Promise.resolve();
  }
  progress(channelId: string): Promise<void> {
    this.commands.push({ kind: 'progress', channelId });
    return Promise.resolve();
  }
  private async startLeg(request: OriginateRequest): Promise<void> {
    await this.originateGate;
    const matches = (endpoints: Set<string>): boolean => [...endpoints].some((uri) => request.endpoint.endsWith(uri));
    if (matches(this.failOriginateFor)) throw new OriginateRefusedError(request.channelId, { cause: new Error('endpoint refused') });
    if (matches(this.timeOutOriginateFor)) throw new Error('ARI POST /channels got no answer within 5000 ms');
  }
  ring(channelId: string): Promise<void> {
    this.commands.push({ kind: 'ring', channelId });
    return Promise.resolve();
  }
  answer(channelId: string): Promise<void> {
    this.commands.push({ kind: 'answer', channelId });
    return Promise.resolve();
  }
  hangup(channelId: string, reason: HangupReason): Promise<void> {
    this.commands.push({ kind: 'hangup', channelId, reason });
    if (this.failingHangups > 0) {
      this.failingHangups -= 1;
      return Promise.reject(new Error('switch unreachable'));
    }
    return Promise.resolve();
  }
  reject(channelId: string, sipCode: number): Promise<void> {
    this.commands.push({ kind: 'reject', channelId, sipCode });
    return Promise.resolve();
  }
  setHangupDeadline(channelId: string, at: Date | null): Promise<void> {
    this.commands.push({ kind: 'setHangupDeadline', channelId, at });
    if (this.failDeadlines) return Promise.reject(new Error('switch unreachable'));
    this.deadlines.set(channelId, at);
    return Promise.resolve();
  }
  playTone(channelId: string): Promise<void> {
    this.commands.push({ kind: 'playTone', channelId });
    return Promise.resolve();
  }
  createBridge(bridgeId: string): Promise<void> {
    this.commands.push({ kind: 'createBridge', bridgeId });
    return this.failBridging ? Promise.reject(new Error('bridge refused')) : Promise.resolve();
  }
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    this.commands.push({ kind: 'addToBridge', bridgeId, channelIds });
    return Promise.resolve();
  }
  destroyBridge(bridgeId: string): Promise<void> {
    this.commands.push({ kind: 'destroyBridge', bridgeId });
    return Promise.resolve();
  }

  // Runs on every read of RTP statistics (e.g. to let time pass as a slow ARI answer would).
  onQualityRead: (() => void) | undefined;

  rtpQuality(channelId: string): Promise<RtpQuality | undefined> {
    this.onQualityRead?.();
    return Promise.resolve(this.quality.get(channelId));
  }
  rtpQualityOfGonePeer(survivorChannelId: string): Promise<RtpQuality | undefined> {
    return Promise.resolve(this.peerQuality.get(survivorChannelId));
  }
  async listChannels(): Promise<SwitchChannel[]> {
    const taken = [...this.channels];
    await this.whileListing?.();
    return taken;
  }

  listBridges(): Promise<SwitchBridge[]> {
    return Promise.resolve(this.bridges);
  }

  // Every leg started: originated (devices) or created to be dialled (carriers).
  originated(): OriginateRequest[] {
    return this.commands.flatMap((command) => (command.kind === 'originate' || command.kind === 'create' ? [command.request] : []));
  }

  of<K extends SwitchCommand['kind']>(kind: K): Extract<SwitchCommand, { kind: K }>[] {
    return this.commands.filter((command): command is Extract<SwitchCommand, { kind: K }> => command.kind === kind);
  }
}
