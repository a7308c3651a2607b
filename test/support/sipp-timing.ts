import { type SippResult } from './sipp';

// When sipp sent or received each SIP message (its trace: a dated separator line, then
// "UDP message sent|received ...", then the message). sipp writes local time; tests run in UTC.
export function messageTimes(result: SippResult): { direction: 'sent' | 'received'; line: string; at: number }[] {
  const pattern = /-{20,} (\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)[^\n]*\n[^\n]*message (sent|received)[^\n]*\n\s*\n?([^\r\n]+)/g;
  return [...result.trace.matchAll(pattern)].map((match) => ({
    at: Date.parse(`${(match[1] ?? '').replace(/\s+/, 'T')}Z`),
    direction: match[2] as 'sent' | 'received',
    line: match[3] ?? '',
  }));
}

// The talk time as one side measured it: from the 200 OK to the INVITE (sent by a callee, received
// by a caller) to the BYE (sent or received).
export function answerToByeMs(result: SippResult, answer: 'sent' | 'received', bye: 'sent' | 'received' = 'received'): number {
  const messages = messageTimes(result);
  const ok = messages.find((message) => message.direction === answer && message.line.startsWith('SIP/2.0 200'));
  const end = messages.find((message) => message.direction === bye && message.line.startsWith('BYE '));
  if (!ok || !end) throw new Error(`no 200 OK ${answer} or BYE ${bye}: ${messages.map((message) => `${message.direction} ${message.line}`).join(' | ')}`);
  return end.at - ok.at;
}
