import { type JetStreamClient } from 'nats';
import { Client } from 'pg';
import { type ConnectionEvent, ConnectionEventSchema, CONNECTION_SUBJECTS, deadLetterSubject, deterministicEventId } from '../../shared/events';
import { errorMessage, fromRealtimeValue } from '../../shared/kernel';
import { type DeadLetter } from '../../shared/infra/jetstream';
import { type Logger } from '../../shared/infra/logger';
import { type Database } from '../../shared/infra/prisma';
import { usernameOfEndpoint } from '../../users';

// Asterisk's registrar writes registrations into ps_contacts (PJSIP realtime), and ARI does not
// report those writes. A trigger on ps_contacts appends each change to registration_changes (a
// durable outbox) and notifies this channel; the watcher publishes every row as a connection.v1.*
// event and deletes it once JetStream acknowledged it.
export const REGISTRATION_CHANGES_CHANNEL = 'registration_changes';
export const REGISTRATION_WATCHER_NAME = 'registration-watcher';

// One row of registration_changes, as the trigger wrote it.
export interface RegistrationChange {
  id: bigint;
  op: string;
  contactId: string;
  endpoint: string | null;
  uri: string | null;
  userAgent: string | null;
  viaAddr: string | null;
  viaPort: number | null;
  expirationTime: bigint | null;
  previousExpirationTime: bigint | null;
  changedAt: Date;
}

export class InvalidRegistrationChangeError extends Error {
  constructor(changeId: bigint, reason: string, options?: { cause?: unknown }) {
    super(`registration change ${changeId} cannot be published: ${reason}`, options);
    this.name = 'InvalidRegistrationChangeError';
  }
}

const OP_SUBJECTS: Record<string, ConnectionEvent['type']> = {
  registered: CONNECTION_SUBJECTS.registered,
  refreshed: CONNECTION_SUBJECTS.refreshed,
  expired: CONNECTION_SUBJECTS.expired,
  unregistered: CONNECTION_SUBJECTS.unregistered,
};

// The transport a device registered over: the contact URI's transport parameter, sips: for TLS,
// otherwise UDP (ps_contacts keeps the Via address and port, not its protocol). Realtime stores
// the URI's ';' as '^3B'.
// A browser's contact, rewritten by the edge (kamailio/edge-websocket.cfg), names its websocket in
// an alias parameter "<ip>~<port>~<proto>", where Kamailio numbers ws 5 and wss 6.
const ALIAS_PROTOCOLS: Record<string, string> = { '5': 'ws', '6': 'wss' };
export function transportOf(uri: string | null): string {
  const alias = /(?:;|\^3B)alias=[^~;^]+~\d+~(\d+)/i.exec(uri ?? '');
  const viaEdge = alias?.[1] ? ALIAS_PROTOCOLS[alias[1]] : undefined;
  if (viaEdge) return viaEdge;
  const param = /(?:;|\^3B)transport=([a-z0-9]+)/i.exec(uri ?? '');
  if (param?.[1]) return param[1].toLowerCase();
  return uri?.toLowerCase().startsWith('sips:') ? 'tls' : 'udp';
}

// The user of a contact: its endpoint (a browser identity's is its user's); older rows without it
// have it in the contact id, which is "<aor>;@<hash>" (";" stored as "^3B").
function usernameOf(change: RegistrationChange): string | undefined {
  if (change.endpoint) return usernameOfEndpoint(change.endpoint);
  const aor = change.contactId.split(/\^3B@|;@/)[0];
  return aor && aor !== change.contactId ? usernameOfEndpoint(aor) : undefined;
}

const isoFromEpochSeconds = (seconds: bigint | null): string | undefined =>
  seconds !== null && seconds > 0n ? new Date(Number(seconds) * 1000).toISOString() : undefined;

// The event a change stands for. Its id depends on the row only, so a republished row is the same
// message for JetStream's duplicate window and for consumers' applyOnce.
export function toConnectionEvent(change: RegistrationChange): ConnectionEvent {
  const type = OP_SUBJECTS[change.op];
  if (!type) throw new InvalidRegistrationChangeError(change.id, `unknown op '${change.op}'`);
  const username = usernameOf(change);
  if (!username) throw new InvalidRegistrationChangeError(change.id, 'no endpoint');
  const base = {
    id: deterministicEventId('registration-change', String(change.id)),
    version: 1 as const,
    occurredAt: change.changedAt.toISOString(),
    username,
    connectionId: change.contactId,
    contactUri: fromRealtimeValue(change.uri) ?? '',
  };
  const expiresAt = isoFromEpochSeconds(change.expirationTime);
  const candidate =
    type === CONNECTION_SUBJECTS.registered
      ? { ...base, type, transport: transportOf(fromRealtimeValue(change.uri)), ...(change.userAgent ? { userAgent: change.userAgent } : {}), ...(expiresAt ? { expiresAt } : {}) }
      : type === CONNECTION_SUBJECTS.refreshed
        ? { ...base, type, ...(expiresAt ? { expiresAt } : {}) }
        : { ...base, type };
  const parsed = ConnectionEventSchema.safeParse(candidate);
  if (!parsed.success) throw new InvalidRegistrationChangeError(change.id, parsed.error.message, { cause: parsed.error });
  return parsed.data;
}

export interface RegistrationWatcherOptions {
  db: Database;
  js: JetStreamClient;
  // For the dedicated LISTEN connection (a pooled connection cannot hold a LISTEN).
  databaseUrl: string;
  log: Logger;
  // Safety net for a lost notification: look for rows this often anyway.
  pollIntervalMs?: number;
  batchSize?: number;
  publishTimeoutMs?: number;
  // Wait before trying again after PostgreSQL or JetStream failed a pass.
  retryDelayMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
}

const encoder = new TextEncoder();
const jsonOf = (change: RegistrationChange): string => JSON.stringify(change, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

// Publishes registration_changes to JetStream in id order, at least once, each row as one event
// whose message id makes the extra copies disappear. Several instances may run: they publish the
// same rows, in the same order, and JetStream keeps one copy.
export class RegistrationWatcher {
  private readonly log: Logger;
  private running = false;
  private listener: Client | undefined;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private drainLoop: Promise<void> | undefined;
  private drainRequested = false;

  constructor(private readonly options: RegistrationWatcherOptions) {
    this.log = options.log.child({ module: REGISTRATION_WATCHER_NAME });
  }

  // Resolves after the first attempt to listen (PostgreSQL being down is retried in the background).
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 5000);
    this.pollTimer.unref();
    await this.listen();
  }

  // Stops listening and polling; resolves once the pass in progress has finished.
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.drainLoop;
  }

  // Publishes whatever is pending now, or right after the pass in progress.
  wake(): void {
    if (!this.running) return;
    this.drainRequested = true;
    this.drainLoop ??= this.runDrainLoop().finally(() => {
      this.drainLoop = undefined;
      // A wake-up that came in after the loop's last check.
      if (this.drainRequested) this.wake();
    });
  }

  private async runDrainLoop(): Promise<void> {
    while (this.running && this.drainRequested) {
      this.drainRequested = false;
      try {
        await this.publishPending();
      } catch (error) {
        // The rows stay; this retry (or the next poll) publishes them.
        this.drainRequested = false;
        const retryInMs = this.options.retryDelayMs ?? 1000;
        this.log.warn('registration changes not published, will retry', { error: errorMessage(error), retryInMs });
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.wake(), retryInMs);
        return;
      }
    }
  }

  private async publishPending(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    while (this.running) {
      const rows = await this.options.db.registrationChange.findMany({ orderBy: { id: 'asc' }, take: batchSize });
      if (rows.length === 0) return;
      const published: bigint[] = [];
      try {
        for (const row of rows) {
          if (!this.running) break;
          await this.publish(row);
          published.push(row.id);
        }
      } finally {
        // Only what JetStream acknowledged; a crash before this line republishes those rows, and
        // JetStream drops the copies.
        if (published.length > 0) await this.options.db.registrationChange.deleteMany({ where: { id: { in: published } } });
      }
      if (rows.length < batchSize) return;
    }
  }

  private async publish(change: RegistrationChange): Promise<void> {
    const timeout = this.options.publishTimeoutMs ?? 5000;
    let event: ConnectionEvent;
    try {
      event = toConnectionEvent(change);
    } catch (error) {
      await this.deadLetter(change, error, timeout);
      return;
    }
    const ack = await this.options.js.publish(event.type, encoder.encode(JSON.stringify(event)), { msgID: event.id, timeout });
    const fields = { changeId: String(change.id), eventId: event.id, type: event.type, connectionId: event.connectionId, username: event.username, seq: ack.seq };
    if (ack.duplicate) this.log.debug('registration change already published', fields);
    else this.log.debug('registration change published', fields);
  }

  // A row no event can describe would block every later one: it goes to the dead letters, with
  // the reason, and leaves the table.
  private async deadLetter(change: RegistrationChange, error: unknown, timeout: number): Promise<void> {
    const letter: DeadLetter = {
      consumer: REGISTRATION_WATCHER_NAME,
      subject: OP_SUBJECTS[change.op] ?? `registration_changes.${change.op}`,
      reason: errorMessage(error),
      deliveries: 1,
      streamSeq: 0,
      failedAt: new Date().toISOString(),
      data: jsonOf(change),
    };
    await this.options.js.publish(deadLetterSubject(REGISTRATION_WATCHER_NAME), encoder.encode(JSON.stringify(letter)), {
      msgID: `${REGISTRATION_WATCHER_NAME}:${String(change.id)}`,
      timeout,
    });
    this.log.error('registration change dead-lettered', { changeId: String(change.id), reason: letter.reason });
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: 5000,
      keepAlive: true,
      application_name: REGISTRATION_WATCHER_NAME,
    });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      if (!this.running) return;
      this.log.warn('registration changes listener lost', { error: error ? errorMessage(error) : 'connection ended' });
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${REGISTRATION_CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!this.running || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.reconnectAttempt = 0;
    this.log.info('listening for registration changes', { channel: REGISTRATION_CHANGES_CHANNEL });
    // Whatever was written while nobody listened.
    this.wake();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectAttempt += 1;
    const initial = this.options.reconnectInitialMs ?? 250;
    const delayMs = Math.min(initial * 2 ** (this.reconnectAttempt - 1), this.options.reconnectMaxMs ?? 10_000);
    this.log.info('registration changes listener reconnecting', { attempt: this.reconnectAttempt, retryInMs: delayMs });
    this.reconnectTimer = setTimeout(() => void this.listen(), delayMs);
  }
}
