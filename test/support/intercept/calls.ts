import { type Device } from '../devices';
import { runSipp, startSipp, type SippRun } from '../sipp';
import { uacCallScenario, uasScenario } from '../sipp/scenarios';
import { testEnv } from '../test-env';

const STOCK_AUDIO = '/usr/share/sip-tester/g711a.pcap';
const play = (pcap: string): string => `  <nop><action><exec play_pcap_audio="${pcap}"/></action></nop>`;

// A caller that plays its own pcap once answered (instead of sipp's stock voice sample).
export function callPlaying(from: Device, dialed: string, pcap: string, holdMs: number): SippRun {
  const scenario = uacCallScenario({ hangup: 'caller', holdMs, audio: true }).replace(STOCK_AUDIO, pcap);
  return runSipp({
    scenario,
    target: testEnv.sipTarget,
    localPort: from.sipPort,
    mediaPort: from.mediaPort,
    service: dialed,
    auth: { username: from.username, password: from.password },
    variables: { caller: from.username },
    timeoutSeconds: 90,
  });
}

// A callee that answers after ringMs and plays its own pcap (no echo), so each direction of the
// call carries a different signal.
export function answerPlaying(dev: Device, pcap: string, ringMs: number): Promise<SippRun> {
  const scenario = uasScenario({ kind: 'answer', ringMs }).replace('  <recv request="ACK" crlf="true"/>\n', `  <recv request="ACK" crlf="true"/>\n${play(pcap)}\n`);
  if (!scenario.includes(pcap)) throw new Error('the callee scenario changed: no place for the audio');
  return startSipp({ scenario, target: testEnv.sipTarget, localPort: dev.sipPort, mediaPort: dev.mediaPort, timeoutSeconds: 90 });
}

// A SIP trace as a party saw it, with what differs from one call to the next taken out: Call-ID,
// tags, branches, ports, lengths, SDP session ids, digest nonces and responses, timestamps.
export function normalizedSipTrace(trace: string): string[] {
  const messages = trace
    .split(/^-{5,}.*$/m)
    .map((block) => block.replace(/^.*message (sent|received).*$/m, (line) => (line.includes('sent') ? '>>> sent' : '<<< received')).trim())
    .filter((block) => block.includes('SIP/2.0'));
  return messages.map((message) =>
    message
      .replace(/^Call-ID:.*$/gim, 'Call-ID: <id>')
      .replace(/tag=[^;>\s]+/g, 'tag=<tag>')
      .replace(/branch=[^;\s]+/g, 'branch=<branch>')
      .replace(/rport=\d+/g, 'rport=<port>')
      .replace(/received=[^;\s]+/g, 'received=<addr>')
      .replace(/(nonce|response|cnonce|opaque|nc)=("[^"]*"|[^,\s]+)/g, '$1=<x>')
      .replace(/^Content-Length:\s*\d+/gim, 'Content-Length: <n>')
      // Asterisk starts each dialog's CSeq at a random number.
      .replace(/^CSeq:\s*\d+/gim, 'CSeq: <n>')
      .replace(/^o=(\S+) \d+ \d+/gm, 'o=$1 <id> <version>')
      .replace(/^m=audio \d+/gm, 'm=audio <port>')
      .replace(/^a=rtcp:\d+/gm, 'a=rtcp:<port>')
      // The switch's SDES key (users' media encryption policy, optional by default) is new each call.
      .replace(/inline:[A-Za-z0-9+/=]+/g, 'inline:<key>')
      .replace(/:\d{4,5}\b/g, ':<port>')
      .replace(/SIPpTag\d+/g, 'SIPpTag')
      .replace(/\r/g, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .join('\n'),
  );
}

// Post-dial set-up time a caller saw: from its authenticated INVITE to the 200 OK (ms), from the
// timestamps sipp writes before each traced message.
export function setupMsOf(trace: string): number {
  const blocks = [...trace.matchAll(/^-{5,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n([\s\S]*?)(?=^-{5,} |$(?![\s\S]))/gm)].map((m) => ({ at: Date.parse(`${m[1]?.replace(' ', 'T').slice(0, 23)}Z`), text: m[2] ?? '' }));
  const invite = blocks.find((b) => /message sent/.test(b.text) && /^INVITE /m.test(b.text) && /^Authorization:/im.test(b.text));
  const ok = blocks.find((b) => /message received/.test(b.text) && /^SIP\/2\.0 200/m.test(b.text) && /^CSeq:\s*\d+ INVITE/im.test(b.text));
  if (!invite || !ok) throw new Error('no INVITE/200 OK in the trace');
  return ok.at - invite.at;
}
