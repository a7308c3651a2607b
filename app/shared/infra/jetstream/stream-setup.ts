import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type ConsumerConfig,
  type JetStreamManager,
  nanos,
  NatsError,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import { STREAMS } from '../../events';
import { AppError } from '../../kernel';
import { type Logger } from '../logger';

const DAY_MS = 24 * 60 * 60 * 1000;

// A republished event (same message id) within this window is dropped by JetStream. The outbox
// retries forever, so a retry after a long NATS outage may fall outside it: consumers still
// deduplicate by event id (applyOnce).
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

// How long each stream keeps its messages. Dead letters live longest: someone has to look at them.
const MAX_AGE_MS: Record<keyof typeof STREAMS, number> = {
  callEvents: 30 * DAY_MS,
  connectionEvents: 7 * DAY_MS,
  deadLetters: 90 * DAY_MS,
};

const MAX_MSG_SIZE_BYTES = 1024 * 1024;

// JetStream API error codes (nats-server errors.json).
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_FOUND = 10014;

export class StreamSetupError extends AppError {
  constructor(resource: string, cause: unknown) {
    super('EVENTS.STREAM_SETUP_FAILED', 'could not create or update a JetStream resource', 'unavailable', { resource }, { cause });
  }
}

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

export interface StreamOptions {
  // Copies of each stream across a NATS cluster (NATS_STREAM_REPLICAS): 1 on a single server, 3 on
  // a 3-server cluster so that a server's loss loses no event.
  replicas?: number;
}

export function streamConfigs(options: StreamOptions = {}): Array<Partial<StreamConfig> & { name: string }> {
  return (Object.keys(STREAMS) as Array<keyof typeof STREAMS>).map((key) => ({
    name: STREAMS[key].name,
    subjects: [...STREAMS[key].subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(MAX_AGE_MS[key]),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_msg_size: MAX_MSG_SIZE_BYTES,
    num_replicas: options.replicas ?? 1,
  }));
}

// Creates every stream of STREAMS, or brings an existing one to the configuration above. Safe to
// run at every start, by every instance.
export async function ensureStreams(jsm: JetStreamManager, log?: Logger, options: StreamOptions = {}): Promise<void> {
  for (const config of streamConfigs(options)) {
    await withSetupRetries(config.name, log, () => ensureStream(jsm, config, log));
  }
}

// A cluster that has just formed, or several instances creating the same replicated stream at
// once, answer for a few seconds with timeouts or "temporarily unavailable" while the stream's
// replicas elect a leader: that is retried, and only an error that lasts fails the start.
const STREAM_SETUP_DEADLINE_MS = 30_000;

async function withSetupRetries(resource: string, log: Logger | undefined, attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + STREAM_SETUP_DEADLINE_MS;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() + delayMs > deadline) throw new StreamSetupError(resource, error);
      log?.warn('jetstream resource not set up yet: retrying', { resource, error: error instanceof Error ? error.message : String(error) });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }, log?: Logger): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch((error: unknown) => {
    if (apiErrorCode(error) === STREAM_NOT_FOUND) return undefined;
    throw error;
  });
  // Several instances starting at once (a fleet) race to create a stream: the loser updates it.
  const created =
    !existing &&
    (await jsm.streams.add(config).then(
      () => true,
      (error: unknown) => {
        if (apiErrorCode(error) === STREAM_NAME_IN_USE) return false;
        throw error;
      },
    ));
  if (created) {
    log?.info('jetstream stream created', { stream: config.name });
    return;
  }
  // Storage and retention cannot change on a live stream; everything else here can.
  const { name, storage: _storage, retention: _retention, ...updatable } = config;
  await jsm.streams.update(name, updatable);
  log?.debug('jetstream stream up to date', { stream: name });
}

export interface ConsumerDefinition {
  name: string;
  stream: string;
  filterSubject: string;
}

export interface ConsumerSetupOptions {
  // How long the server waits for an ack before redelivering; the runner extends it while a
  // handler is still working.
  ackWaitMs?: number;
  // The server's own delivery limit. The runner dead-letters after its maxDeliver attempts; keep
  // this unlimited (-1) or above the runner's, or a message the server gives up on is neither
  // acknowledged nor dead-lettered.
  maxDeliver?: number;
  maxAckPending?: number;
}

export function consumerConfig(def: ConsumerDefinition, options: ConsumerSetupOptions = {}): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: def.name,
    description: `durable pull consumer ${def.name}`,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_deliver: options.maxDeliver ?? -1,
    max_ack_pending: options.maxAckPending ?? 1000,
    filter_subject: def.filterSubject,
    deliver_policy: DeliverPolicy.All,
  };
}

// Creates the durable pull consumer or updates its settings. A consumer keeps its position across
// restarts of ours and of NATS (file storage).
export async function ensureConsumer(jsm: JetStreamManager, def: ConsumerDefinition, options: ConsumerSetupOptions = {}, log?: Logger): Promise<void> {
  const config = consumerConfig(def, options);
  try {
    const existing = await jsm.consumers.info(def.stream, def.name).catch((error: unknown) => {
      if (apiErrorCode(error) === CONSUMER_NOT_FOUND) return undefined;
      throw error;
    });
    if (!existing) {
      await jsm.consumers.add(def.stream, config);
      log?.info('jetstream consumer created', { stream: def.stream, consumer: def.name });
      return;
    }
    const current = existing.config;
    const changed =
      current.ack_wait !== config.ack_wait ||
      current.max_deliver !== config.max_deliver ||
      current.max_ack_pending !== config.max_ack_pending ||
      current.filter_subject !== config.filter_subject;
    if (changed) {
      const { durable_name: _durable, deliver_policy: _deliver, ack_policy: _ack, ...updatable } = config;
      await jsm.consumers.update(def.stream, def.name, updatable);
      log?.info('jetstream consumer updated', { stream: def.stream, consumer: def.name });
    }
  } catch (error) {
    throw new StreamSetupError(`${def.stream}/${def.name}`, error);
  }
}
