import { allocatePorts } from './net';
import { registerScenario, uacCallScenario, uasScenario, type UacOptions, type UasBehaviour } from './sipp/scenarios';
import { runSipp, startSipp, type SippResult, type SippRun } from './sipp';
import { testEnv } from './test-env';

export interface Device {
  username: string;
  password: string;
  sipPort: number;
  mediaPort: number;
}

export function device(user: { username: string; password: string }): Device {
  const ports = allocatePorts();
  return { username: user.username, password: user.password, sipPort: ports.sip, mediaPort: ports.media };
}

// REGISTER (with digest auth) from the device's own port: Asterisk will ring that contact.
export async function register(dev: Device, options: { expires?: number; password?: string } = {}): Promise<SippResult> {
  return runSipp({
    scenario: registerScenario(),
    target: testEnv.sipTarget,
    localPort: dev.sipPort,
    service: dev.username,
    auth: { username: dev.username, password: options.password ?? dev.password },
    variables: { expires: String(options.expires ?? 300) },
    timeoutSeconds: 10,
  }).done;
}

// The device waits for one incoming call and behaves as told; it echoes the caller's audio.
export function answerOn(dev: Device, behaviour: UasBehaviour): Promise<SippRun> {
  return startSipp({
    scenario: uasScenario(behaviour),
    target: testEnv.sipTarget,
    localPort: dev.sipPort,
    mediaPort: dev.mediaPort,
    rtpEcho: true,
    timeoutSeconds: 90,
  });
}

export function call(from: Device, dialed: string, options: Partial<UacOptions> & { password?: string } = {}): SippRun {
  return runSipp({
    scenario: uacCallScenario({
      hangup: options.hangup ?? 'caller',
      holdMs: options.holdMs ?? 3000,
      audio: options.audio ?? true,
      ...(options.cancelAfterMs !== undefined ? { cancelAfterMs: options.cancelAfterMs } : {}),
    }),
    target: testEnv.sipTarget,
    localPort: from.sipPort,
    mediaPort: from.mediaPort,
    service: dialed,
    auth: { username: from.username, password: options.password ?? from.password },
    variables: { caller: from.username },
    timeoutSeconds: 90,
  });
}
