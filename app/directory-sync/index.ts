import { type NatsConnection, type Subscription } from 'nats';
import { DIRECTORY_CHANGES_SUBJECT, type DirectoryChange, type DirectoryChangeNotice } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';

// Something that holds a copy of directory data: a controller's cache, a switch's sorcery cache.
export type ChangeApplier = (change: DirectoryChange) => Promise<void> | void;

export interface DirectorySync {
  // Applies a change on this instance (awaited: the admin API answers once this instance's switch
  // forgot the old identity), then tells every other instance.
  changed(change: DirectoryChange): Promise<void>;
  onChange(name: string, applier: ChangeApplier): void;
  start(): void;
  stop(): void;
}

// Keeps every controller's caches in step with the admin API of any of them (docs: the cache
// delays, README). Each applier runs independently: one failing (the switch's AMI unreachable) is
// logged and does not keep the others from forgetting.
export function createDirectorySync(deps: { nats: NatsConnection; instanceId: string; log: Logger }): DirectorySync {
  const log = deps.log.child({ module: 'directory-sync' });
  const appliers: Array<{ name: string; apply: ChangeApplier }> = [];
  let subscription: Subscription | undefined;
  const applyAll = async (change: DirectoryChange): Promise<void> => {
    await Promise.all(
      appliers.map(async ({ name, apply }) => {
        try {
          await apply(change);
        } catch (error) {
          log.error('directory change not applied', { applier: name, kind: change.kind, error: errorMessage(error) });
        }
      }),
    );
  };
  return {
    async changed(change) {
      await applyAll(change);
      const notice: DirectoryChangeNotice = { origin: deps.instanceId, change };
      try {
        deps.nats.publish(DIRECTORY_CHANGES_SUBJECT, JSON.stringify(notice));
      } catch (error) {
        // The others' caches still expire within their lifetimes.
        log.error('directory change not published', { kind: change.kind, error: errorMessage(error) });
      }
    },
    onChange(name, apply) {
      appliers.push({ name, apply });
    },
    start() {
      subscription = deps.nats.subscribe(DIRECTORY_CHANGES_SUBJECT, {
        callback: (error, message) => {
          if (error) return log.error('directory change subscription failed', { error: errorMessage(error) });
          let notice: DirectoryChangeNotice;
          try {
            notice = JSON.parse(message.string()) as DirectoryChangeNotice;
          } catch (parseError) {
            return log.warn('directory change notice unreadable', { error: errorMessage(parseError) });
          }
          if (notice.origin === deps.instanceId || !notice.change) return;
          void applyAll(notice.change);
        },
      });
    },
    stop() {
      subscription?.unsubscribe();
    },
  };
}
