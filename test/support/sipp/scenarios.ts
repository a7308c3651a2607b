// sipp scenarios, built per test: a caller (UAC) and callee devices (UAS) with the behaviour a
// test needs (ring for a while then answer, reject with a code, ring until cancelled, hang up).

export const SDP = `v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0 101
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv`;

export const header = (name: string, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n<scenario name="${name}">\n${body}\n</scenario>\n`;

const cdata = (message: string): string => `<![CDATA[\n${message}\n\n]]>`;

export const send = (message: string, retrans = false): string =>
  `  <send${retrans ? ' retrans="500"' : ''}>\n${cdata(message)}\n  </send>`;

// REGISTER with digest authentication; -set expires N (0 unregisters).
// Our responses in a call's dialog carry this To tag.
export const TO_TAGGED = '[last_To:];tag=[pid]SIPpTag01[call_number]';

// 200 OK without a body to the request just received (BYE, CANCEL).
export const OK_NO_BODY = send(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`);

// A response to the INVITE: 180 without a body; 183 and 200 with our SDP, 200 retransmitted until
// it is acknowledged.
// A response carries the INVITE's Record-Route (RFC 3261 12.1.1): the switch then sends its BYE
// through the edge, which alone may reach it.
export function inviteResponse(status: '180 Ringing' | '183 Session Progress' | '200 OK'): string {
  const contact = `[last_Via:]
[last_Record-Route:]
[last_From:]
${TO_TAGGED}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>`;
  if (status === '180 Ringing') return send(`SIP/2.0 ${status}\n${contact}\nContent-Length: 0`);
  return send(`SIP/2.0 ${status}\n${contact}\nContent-Type: application/sdp\nContent-Length: [len]\n\n${SDP}`, status === '200 OK');
}

export function registerScenario(): string {
  const register = (cseq: number, auth: boolean): string =>
    send(
      `REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: ${cseq} REGISTER
Contact: <sip:[service]@[local_ip]:[local_port]>
Expires: [$expires]
${auth ? '[authentication]\n' : ''}Max-Forwards: 70
User-Agent: sipp-device
Content-Length: 0`,
      true,
    );
  return header(
    'register',
    `  <Global variables="expires"/>
${register(1, false)}
  <recv response="401" auth="true"/>
${register(2, true)}
  <recv response="200"/>`,
  );
}

export interface UacOptions {
  // Who hangs up an answered call: the caller after holdMs, or the callee (the caller waits for BYE).
  hangup: 'caller' | 'callee';
  holdMs: number;
  // Play G.711 audio (RTP) once answered.
  audio: boolean;
  // Give up while it rings: CANCEL this long after the first 180.
  cancelAfterMs?: number;
  // ACK and BYE of the answered call go to the callee's Contact through the Record-Route set, as a
  // real phone sends them (every topology has a record-routing edge); false: to where the INVITE went.
  // true also answers a second challenge from another node (the netns fleet's failover).
  routed?: boolean;
}

// An in-dialog request line: to the remote target through the route set (sipp's [next_url] and
// [routes], learnt from a response received with rrs="true"), or to where the INVITE went.
const inDialog = (method: string, routed: boolean | undefined, uri: string): string =>
  routed ? `${method} [next_url] SIP/2.0\n[routes]` : `${method} ${uri} SIP/2.0`;

// The Via of an ACK. The ACK of a refusal (a challenge, a final error) belongs to the INVITE's
// transaction and carries its branch (RFC 3261 17.1.1.3): a transaction-stateful proxy (the edge)
// matches it by that; an ACK of a 200 is a transaction of its own, with a new branch.
const ackVia = (sameTransaction: boolean | undefined): string =>
  sameTransaction ? '[last_Via:]' : 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]';

const FINAL_ERRORS = [401, 402, 403, 404, 408, 480, 484, 486, 487, 500, 502, 503, 603];

// A caller: -set caller <username>, -s <dialled>, -au/-ap <credentials>. Answers Asterisk's
// digest challenge. A final error is ACKed and ends the scenario (the test reads the code).
export function uacCallScenario(options: UacOptions): string {
  const routes = options.routed !== false;
  const invite = (cseq: number, auth: boolean): string =>
    send(
      `INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$caller]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: ${cseq} INVITE
Contact: <sip:[$caller]@[local_ip]:[local_port]>
${auth ? '[authentication]\n' : ''}Max-Forwards: 70
User-Agent: sipp-caller
Content-Type: application/sdp
Content-Length: [len]

${SDP}`,
      true,
    );
  const ack = (cseq: number, answered = false): string =>
    send(`${inDialog('ACK', answered && routes, 'sip:[service]@[remote_ip]:[remote_port]')}
${ackVia(!answered && routes)}
From: <sip:[$caller]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ACK
Contact: <sip:[$caller]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0`);
  const errors = FINAL_ERRORS.map((code, i) => `  <recv response="${code}"${i < FINAL_ERRORS.length - 1 ? ' optional="true"' : ''} next="refused"/>`).join('\n');
  const answeredAfter = (inviteCseq: number): string => [
    ack(inviteCseq, true),
    options.audio ? '  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>' : '',
    options.hangup === 'caller'
      ? `  <pause milliseconds="${options.holdMs}"/>
${send(
  `${inDialog('BYE', routes, 'sip:[service]@[remote_ip]:[remote_port]')}
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$caller]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${inviteCseq + 1} BYE
Max-Forwards: 70
Content-Length: 0`,
  true,
)}
  <recv response="200"/>`
      : `  <recv request="BYE" timeout="${options.holdMs + 60000}"/>
${OK_NO_BODY}`,
  ].join('\n');
  const answered = answeredAfter(2);
  // Behind the edge, a call the challenging node cannot take (its controller gone) goes to another
  // node, which challenges again (stale=true: the first node's nonce is not its own); a phone
  // answers that without asking anyone, as here.
  const rechallenged = options.routed
    ? `  <label id="rechallenged"/>
${ack(2)}
${invite(3, true)}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" optional="true" next="answered3" rrs="true"/>
${FINAL_ERRORS.map((code, i) => `  <recv response="${code}"${i < FINAL_ERRORS.length - 1 ? ' optional="true"' : ''} next="refused3"/>`).join('\n')}
  <label id="answered3"/>
${answeredAfter(3)}
  <nop next="done"/>
  <label id="refused3"/>
${ack(3)}
  <nop next="done"/>`
    : '';
  if (options.cancelAfterMs !== undefined) {
    return header(
      'uac-cancel',
      `  <Global variables="caller"/>
${invite(1, false)}
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
${ack(1)}
${invite(2, true)}
  <recv response="100" optional="true"/>
  <recv response="180"/>
  <pause milliseconds="${options.cancelAfterMs}"/>
${send(
  `CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <sip:[$caller]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 2 CANCEL
Max-Forwards: 70
Content-Length: 0`,
  true,
)}
  <recv response="200"/>
  <recv response="487"/>
${ack(2)}`,
    );
  }
  return header(
    'uac-call',
    `  <Global variables="caller"/>
${invite(1, false)}
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
${ack(1)}
${invite(2, true)}
  <recv response="100" optional="true"/>
${options.routed ? '  <recv response="401" auth="true" optional="true" next="rechallenged"/>\n' : ''}  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" optional="true" next="answered"${routes ? ' rrs="true"' : ''}/>
${errors}
  <label id="answered"/>
${answered}
  <nop next="done"/>
  <label id="refused"/>
${ack(2)}
  <nop next="done"/>
${rechallenged}
  <label id="done"/>`,
  );
}

export type UasBehaviour =
  // Ring for ringMs, then answer (unless cancelled first); then wait for BYE, or hang up after holdMs.
  | { kind: 'answer'; ringMs: number; hangupAfterMs?: number }
  // Ring for ringMs, then refuse with this final response (486 busy, 603 decline, ...).
  | { kind: 'reject'; ringMs: number; code: number }
  // Ring until the INVITE is cancelled.
  | { kind: 'ring' }
  // Say nothing at all (a carrier that does not answer); end when the INVITE is cancelled or after timeoutMs.
  | { kind: 'silent'; timeoutMs: number }
  // A carrier with early media: 183 Session Progress with SDP and audio at once, never 180; answers
  // after answerAfterMs (unless cancelled first); then waits for BYE.
  | { kind: 'early-media'; answerAfterMs: number };

const REASONS: Record<number, string> = { 486: 'Busy Here', 603: 'Decline', 480: 'Temporarily Unavailable', 404: 'Not Found', 500: 'Server Internal Error', 503: 'Service Unavailable' };

// A callee device, one call. Run with -rtp_echo so that it sends the caller's audio back.
export function uasScenario(behaviour: UasBehaviour): string {
  const ringing = inviteResponse('180 Ringing');
  const cancelled = `  <label id="cancelled"/>
${OK_NO_BODY}
${send(`SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
${TO_TAGGED}
[last_Call-ID:]
CSeq: [$invite_cseq] INVITE
Content-Length: 0`)}
  <recv request="ACK"/>
  <nop next="done"/>`;
  if (behaviour.kind === 'early-media') return earlyMediaScenario(behaviour.answerAfterMs, cancelled);
  if (behaviour.kind === 'silent') {
    // No provisional response: the sender gives up on its own. Ends on CANCEL or after the wait.
    return header(
      'uas-silent',
      `  <recv request="INVITE"/>
  <recv request="INVITE" optional="true" timeout="${behaviour.timeoutMs}" ontimeout="done" next="done"/>
  <label id="done"/>`,
    );
  }
  let body: string;
  if (behaviour.kind === 'ring') {
    body = `  <recv request="CANCEL" timeout="120000" next="cancelled"/>`;
  } else if (behaviour.kind === 'reject') {
    body = `  <recv request="CANCEL" timeout="${Math.max(1, behaviour.ringMs)}" ontimeout="refuse" next="cancelled"/>
  <label id="refuse"/>
${send(`SIP/2.0 ${behaviour.code} ${REASONS[behaviour.code] ?? 'Refused'}
[last_Via:]
[last_From:]
${TO_TAGGED}
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}
  <recv request="ACK"/>
  <nop next="done"/>`;
  } else {
    const afterAnswer =
      behaviour.hangupAfterMs === undefined
        ? `  <recv request="BYE" timeout="600000"/>
${OK_NO_BODY}`
        : `  <pause milliseconds="${behaviour.hangupAfterMs}"/>
${send(
  `BYE [next_url] SIP/2.0
[routes]
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$local_party];tag=[pid]SIPpTag01[call_number]
To: [$remote_party]
Call-ID: [$dialog_call_id]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0`,
  true,
)}
  <recv response="200"/>`;
    body = `  <recv request="CANCEL" timeout="${Math.max(1, behaviour.ringMs)}" ontimeout="answer" next="cancelled"/>
  <label id="answer"/>
${inviteResponse('200 OK')}
  <recv request="ACK" crlf="true"/>
${afterAnswer}
  <nop next="done"/>`;
  }
  // sipp refuses variables that are set but never used, so the dialog is captured only when the
  // device sends its own BYE.
  const dialogCaptures =
    behaviour.kind === 'answer' && behaviour.hangupAfterMs !== undefined
      ? `
      <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="remote_party"/>
      <ereg regexp="[^;]*" search_in="hdr" header="To:" check_it="true" assign_to="local_party"/>
      <ereg regexp=".*" search_in="hdr" header="Call-ID:" check_it="true" assign_to="dialog_call_id"/>`
      : '';
  return header(
    'uas',
    `  <recv request="INVITE" crlf="true" rrs="true">
    <action>${dialogCaptures}
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="invite_cseq"/>
    </action>
  </recv>
${ringing}
${body}
${cancelled}
  <label id="done"/>`,
  );
}

function earlyMediaScenario(answerAfterMs: number, cancelled: string): string {
  return header(
    'uas-early-media',
    `  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="invite_cseq"/>
    </action>
  </recv>
${inviteResponse('183 Session Progress')}
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>
  <recv request="CANCEL" timeout="${Math.max(1, answerAfterMs)}" ontimeout="answer" next="cancelled"/>
  <label id="answer"/>
${inviteResponse('200 OK')}
  <recv request="ACK" crlf="true"/>
  <recv request="BYE" timeout="600000"/>
${OK_NO_BODY}
  <nop next="done"/>
${cancelled}
  <label id="done"/>`,
  );
}

// A call from the phone network: a carrier (no digest authentication; recognised by its address)
// sends an INVITE for one of our numbers, with the caller's number in From. -s <our number>,
// -set from <caller number>. Hangs up after holdMs once answered.
export function carrierInviteScenario(options: { holdMs: number; routed?: boolean }): string {
  const routes = options.routed !== false;
  const invite = send(
    `INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$from]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:[$from]@[local_ip]:[local_port]>
Max-Forwards: 70
User-Agent: sipp-carrier
Content-Type: application/sdp
Content-Length: [len]

${SDP}`,
    true,
  );
  const ackOf = (answered: boolean): string =>
    send(`${inDialog('ACK', answered && routes, 'sip:[service]@[remote_ip]:[remote_port]')}
${ackVia(!answered && routes)}
From: <sip:[$from]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`);
  const errors = FINAL_ERRORS.map((code, i) => `  <recv response="${code}"${i < FINAL_ERRORS.length - 1 ? ' optional="true"' : ''} next="refused"/>`).join('\n');
  return header(
    'carrier-invite',
    `  <Global variables="from"/>
${invite}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true" optional="true" next="answered"${routes ? ' rrs="true"' : ''}/>
${errors}
  <label id="answered"/>
${ackOf(true)}
  <pause milliseconds="${options.holdMs}"/>
${send(
  `${inDialog('BYE', routes, 'sip:[service]@[remote_ip]:[remote_port]')}
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[$from]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0`,
  true,
)}
  <recv response="200"/>
  <nop next="done"/>
  <label id="refused"/>
${ackOf(false)}
  <label id="done"/>`,
  );
}
