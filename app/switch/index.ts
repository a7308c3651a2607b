import { type SwitchControl, type SwitchEvent } from '../call-state';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { AriEventStream } from './ari-event-stream';
import { EVENT_TYPES_READ, toSwitchEvent } from './ari-event-mapper';
import { AriRest } from './ari-rest';
import { AriSwitchControl } from './ari-switch-control';

export interface SwitchModuleOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  maxSockets: number;
  requestTimeoutMs: number;
  log: Logger;
  // Asterisk sends the application only the event types the controller reads (an ARI event
  // filter, set on every connection): the lean call path follows each caller's channel out of the
  // application, and most of what that channel does is of no interest.
  declineUnreadEvents?: boolean;
}

export interface SwitchModule {
  control: SwitchControl;
  // Opens the event stream; resolves when it is connected the first time.
  // onConnected's lostAt: on a reconnection, the last moment the previous connection delivered events.
  start(handlers: { onEvent: (event: SwitchEvent) => void; onConnected: (reconnected: boolean, lostAt?: Date) => void }): Promise<void>;
  stop(): void;
  // Health: does Asterisk answer on ARI?
  ping(): Promise<void>;
  eventsConnected(): boolean;
  // The last moment the switch's events were known to arrive (now while connected).
  eventsSeenAt(): Date | undefined;
  // ARI requests the call path has sent since start.
  requestsSent(): number;
}

export function createSwitchModule(options: SwitchModuleOptions): SwitchModule {
  const log = options.log.child({ module: 'switch' });
  const rest = new AriRest({
    url: options.url,
    user: options.user,
    password: options.password,
    maxSockets: options.maxSockets,
    timeoutMs: options.requestTimeoutMs,
  });
  let stream: AriEventStream | undefined;
  return {
    control: new AriSwitchControl(rest, options.app),
    start(handlers) {
      stream = new AriEventStream({
        url: options.url,
        user: options.user,
        password: options.password,
        app: options.app,
        log,
        onEvent: (raw) => {
          const event = toSwitchEvent(raw);
          if (event) handlers.onEvent(event);
        },
        onConnected: (reconnected, lostAt) => {
          if (!options.declineUnreadEvents) return handlers.onConnected(reconnected, lostAt);
          // The filter before anything else: the resync that onConnected starts runs under it.
          rest
            .request('PUT', `/applications/${encodeURIComponent(options.app)}/eventFilter`, undefined, { allowed: EVENT_TYPES_READ.map((type) => ({ type })), disallowed: [] })
            .catch((error: unknown) => log.warn('ari event filter not set', { error: errorMessage(error) }))
            .finally(() => handlers.onConnected(reconnected, lostAt));
        },
      });
      return stream.start();
    },
    stop() {
      stream?.stop();
      rest.close();
    },
    async ping() {
      await rest.get('/asterisk/ping');
    },
    eventsConnected: () => stream?.connected ?? false,
    eventsSeenAt: () => stream?.eventsSeenAt(),
    requestsSent: () => rest.requestsSent,
  };
}

export { AriRest } from './ari-rest';
// Asterisk realtime: who is registered (PJSIP contacts) and carriers' outbound registrations.
export { RegistrationWatcher } from './realtime/registration-watcher';
export { AriOutboundRegistrations } from './realtime/ari-outbound-registrations';
export { toSwitchEvent, endpointOfChannelName, type AriEvent } from './ari-event-mapper';
export { createAriSnoopRecorder, AriSnoopRecorder, type AriSnoopRecorderOptions } from './ari-snoop-recorder';
export { CelFileCallLog, type CelFileCallLogOptions } from './cel-file-call-log';
export { AmiSorceryCache, SorceryCacheExpiryError, SORCERY_CACHES } from './ami-sorcery-cache';
export { sorceryObjectsOf } from './sorcery-expiry';
export { carrierDialString } from './dial-strings';
