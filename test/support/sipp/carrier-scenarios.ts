import { createHash } from 'node:crypto';
import { type SippResult } from '../sipp';
import { header, inviteResponse, OK_NO_BODY, send } from './scenarios';

// sipp scenarios of carriers that want credentials: a trunk that challenges our INVITEs, and a
// registrar that challenges our REGISTER. The credentials sent are checked by the test itself
// (digestIsValid), also for 407, whose Proxy-Authorization sipp's verifyauth does not read.

export const CARRIER_REALM = 'carrier.test';

const challenge = (code: 401 | 407): string =>
  send(`SIP/2.0 ${code} ${code === 401 ? 'Unauthorized' : 'Proxy Authentication Required'}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
${code === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'}: Digest realm="${CARRIER_REALM}", nonce="[pid]n[call_number]", algorithm=MD5
Content-Length: 0`);


// One outbound call: the carrier challenges the INVITE (401 or 407); the INVITE that comes back
// with credentials is answered (then the carrier waits for BYE), or challenged again, as a carrier
// does with credentials it does not accept.
export function challengingCarrierScenario(options: { challenge: 401 | 407; afterAuth: 'answer' | 'refuse' }): string {
  const answer = `${inviteResponse('180 Ringing')}
${inviteResponse('200 OK')}
  <recv request="ACK" crlf="true"/>
  <recv request="BYE" timeout="120000"/>
${OK_NO_BODY}`;
  const refuse = `${challenge(options.challenge)}
  <recv request="ACK"/>`;
  return header(
    `carrier-${options.challenge}-${options.afterAuth}`,
    `  <recv request="INVITE" crlf="true"/>
${challenge(options.challenge)}
  <recv request="ACK"/>
  <recv request="INVITE" crlf="true"/>
${options.afterAuth === 'answer' ? answer : refuse}`,
  );
}

// The carrier's registrar: challenges the first REGISTER (401), accepts the authenticated one for
// expiresSeconds.
export function registrarScenario(expiresSeconds: number): string {
  return header(
    'carrier-registrar',
    `  <recv request="REGISTER" timeout="60000"/>
${challenge(401)}
  <recv request="REGISTER"/>
${send(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Contact:];expires=${expiresSeconds}
Expires: ${expiresSeconds}
Content-Length: 0`)}`,
  );
}

// A registrar that accepts one REGISTER as it comes (to see an unregistration).
export function acceptingRegistrarScenario(): string {
  return header(
    'carrier-registrar-accepting',
    `  <recv request="REGISTER" timeout="60000"/>
${send(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Expires: 0
Content-Length: 0`)}`,
  );
}

// Every message sipp received, whole (headers and body), in order.
export function receivedMessages(result: SippResult): string[] {
  return result.trace
    .split(/^-{10,}.*$/m)
    .filter((part) => /message received/.test(part))
    .map((part) => part.replace(/^\s*\S+ message received \[\d+\] bytes :\s*/, '').replace(/\r/g, ''));
}

export interface DigestCheck {
  header: 'Authorization' | 'Proxy-Authorization';
  username: string;
  realm: string;
  valid: boolean;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

// The digest credentials of a received request, checked against the password (RFC 2617, with or
// without qop=auth); undefined when the request carries none.
export function digestOf(message: string, password: string): DigestCheck | undefined {
  const line = /^(Authorization|Proxy-Authorization):\s*Digest\s+(.*)$/im.exec(message);
  if (!line) return undefined;
  const fields: Record<string, string> = {};
  for (const [, key, quoted, bare] of (line[2] ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) fields[(key ?? '').toLowerCase()] = quoted ?? bare ?? '';
  const method = (message.split(' ', 1)[0] ?? '').trim();
  const ha1 = md5(`${fields.username}:${fields.realm}:${password}`);
  const ha2 = md5(`${method}:${fields.uri}`);
  const expected = fields.qop ? md5(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`) : md5(`${ha1}:${fields.nonce}:${ha2}`);
  return { header: line[1] as DigestCheck['header'], username: fields.username ?? '', realm: fields.realm ?? '', valid: fields.response === expected };
}
