import { type ChannelTimes } from '../call-state';

// One line of the switch's event file, as asterisk/conf/cel_custom.conf writes it:
// EventType,EventTime,UniqueID,LinkedID, e.g. "HANGUP","1765131234.123456","1765131230.42","1765131230.40"
// (the time in seconds and microseconds since the epoch, Asterisk's own clock).
export interface CelRecord {
  event: 'ANSWER' | 'HANGUP';
  at: Date;
  channelId: string;
  linkedId: string;
}

const EVENTS = new Set(['ANSWER', 'HANGUP']);

// Undefined for a line that is not such a record (an event not asked for, a line cut short by a
// write in progress, a blank line).
export function parseCelLine(line: string): CelRecord | undefined {
  const fields = splitFields(line.trim());
  if (fields?.length !== 4) return undefined;
  const [event = '', time = '', channelId = '', linkedId = ''] = fields;
  if (!EVENTS.has(event) || channelId === '' || !/^\d+(\.\d+)?$/.test(time)) return undefined;
  // Milliseconds are exact enough: talk time is billed in whole seconds.
  return { event: event as CelRecord['event'], at: new Date(Math.round(Number(time) * 1000)), channelId, linkedId };
}

// Comma-separated fields, each optionally in double quotes (a doubled quote inside stands for one).
function splitFields(line: string): string[] | undefined {
  if (line === '') return undefined;
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= line.length) return undefined;
        if (line[j] === '"') {
          if (line[j + 1] === '"') {
            value += '"';
            j += 2;
            continue;
          }
          break;
        }
        value += line[j];
        j += 1;
      }
      fields.push(value);
      i = j + 1;
      if (i < line.length && line[i] !== ',') return undefined;
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

// Folds records into each wanted channel's answer and hang-up (the first of each: a channel is
// answered and hangs up once).
export function channelTimesOf(records: Iterable<CelRecord>, wanted: ReadonlySet<string>): Map<string, ChannelTimes> {
  const times = new Map<string, ChannelTimes>();
  for (const record of records) {
    if (!wanted.has(record.channelId)) continue;
    const entry = times.get(record.channelId) ?? {};
    if (record.event === 'ANSWER' && (entry.answeredAt === undefined || record.at < entry.answeredAt)) entry.answeredAt = record.at;
    if (record.event === 'HANGUP' && (entry.hungUpAt === undefined || record.at < entry.hungUpAt)) entry.hungUpAt = record.at;
    times.set(record.channelId, entry);
  }
  return times;
}
