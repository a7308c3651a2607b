// sipp scenarios of the call-setup bench: signalling only. The SDP offers a media port so that
// Asterisk accepts the call, but no RTP is ever sent, so the figures measure call set-up alone.

const SDP = `v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=sendrecv`;

const scenario = (name: string, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">\n${body}\n</scenario>\n`;

const send = (message: string, attributes = ''): string => `  <send${attributes}>\n<![CDATA[\n${message}\n\n]]>\n  </send>`;

// The set-up time: from the authenticated INVITE to its 200 OK (sipp response-time "setup").
export const SETUP_RTD = 'setup';

// REGISTER with digest authentication (-au/-ap), so that Asterisk rings this port.
export function registerScenario(username: string, expiresSeconds: number): string {
  const register = (cseq: number, auth: boolean): string =>
    send(
      `REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:${username}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:${username}@[remote_ip]>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:${username}@[local_ip]:[local_port]>
Expires: ${expiresSeconds}
${auth ? '[authentication]\n' : ''}Max-Forwards: 70
User-Agent: bench-callee
Content-Length: 0`,
      ' retrans="500"',
    );
  return scenario('bench-register', `${register(1, false)}\n  <recv response="401" auth="true"/>\n${register(2, true)}\n  <recv response="200"/>`);
}

// A caller: INVITE, answer the digest challenge, wait for 200 OK, hold, BYE. Anything other than
// 100/180/183/200 after the challenge is unexpected, so sipp counts the call as failed.
export function uacScenario(options: { caller: string; callee: string; holdMs: number }): string {
  const { caller, callee, holdMs } = options;
  const from = `From: <sip:${caller}@[remote_ip]>;tag=[pid]SIPpTag00[call_number]`;
  const to = `To: <sip:${callee}@[remote_ip]:[remote_port]>`;
  const invite = (cseq: number, auth: boolean): string =>
    send(
      `INVITE sip:${callee}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${from}
${to}
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:${caller}@[local_ip]:[local_port]>
${auth ? '[authentication]\n' : ''}Max-Forwards: 70
User-Agent: bench-caller
Content-Type: application/sdp
Content-Length: [len]

${SDP}`,
      auth ? ` retrans="500" start_rtd="${SETUP_RTD}"` : ' retrans="500"',
    );
  // The ACK of a non-2xx response belongs to the INVITE's transaction: same branch (3 steps back).
  const ackChallenge = send(`ACK sip:${callee}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3]
${from}
${to}[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`);
  const inDialog = (method: string, cseq: number): string => `${method} sip:${callee}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${from}
${to}[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Contact: <sip:${caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0`;
  return scenario(
    'bench-uac',
    `${invite(1, false)}
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
${ackChallenge}
${invite(2, true)}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="${SETUP_RTD}"/>
${send(inDialog('ACK', 2))}
  <pause milliseconds="${holdMs}"/>
${send(inDialog('BYE', 3), ' retrans="500"')}
  <recv response="200" crlf="true"/>`,
  );
}

// The callee device: answers every INVITE at once (no ringing), then waits for the BYE.
export function uasScenario(): string {
  const reply = (extra: string): string => `SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
${extra}`;
  return scenario(
    'bench-uas',
    `  <recv request="INVITE" crlf="true"/>
${send(
  reply(`Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

${SDP}`),
  ' retrans="500"',
)}
  <recv request="ACK"/>
  <recv request="BYE"/>
${send(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}`,
  );
}
