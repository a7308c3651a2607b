import { type Sql } from '../shared/infra/sql';
import { type CallRecord, type CallRecordCursor, type CallRecordFilter } from './call-record';
import { whereOf } from './call-record-query';
import { RECORD_COLUMNS, type RecordRow, toCallRecord } from './call-record-rows';
import { type CallRecordSearch } from './ports';

const EXPORT_BATCH = 2000;

const statement = (clause: string, limit?: string): string =>
  `SELECT ${RECORD_COLUMNS} FROM call_records cr LEFT JOIN invoice_lines il ON il.call_id = cr.call_id
   ${clause} ORDER BY cr.requested_at DESC, cr.call_id DESC${limit ? ` LIMIT ${limit}` : ''}`;

// The call history over call_records: a page by cursor, or every match streamed in batches.
export class PgCallRecordSearch implements CallRecordSearch {
  constructor(private readonly sql: Sql) {}

  async page(filter: CallRecordFilter, limit: number, cursor?: CallRecordCursor): Promise<CallRecord[]> {
    const { clause, values } = whereOf(filter, cursor);
    const rows = await this.sql.query<RecordRow>(statement(clause, `$${values.length + 1}`), [...values, limit]);
    return rows.map(toCallRecord);
  }

  async *all(filter: CallRecordFilter): AsyncGenerator<CallRecord[]> {
    const { clause, values } = whereOf(filter);
    for await (const rows of this.sql.batches<RecordRow>(statement(clause), values, EXPORT_BATCH)) yield rows.map(toCallRecord);
  }
}
