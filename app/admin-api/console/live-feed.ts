import { type RequestHandler } from 'express';
import { type CallOperations } from '../../call-state';
import { type CallChanges } from '../../console';
import { errorMessage } from '../../shared/kernel';

// Something else the console shows live (the alarms), read as often as the calls.
export interface LiveSource {
  name: string;
  snapshot: () => Promise<unknown>;
}

// Without a change signal the live calls are read this often; with one, on each call event (at
// most once per DEBOUNCE_MS) and every RECONCILE_MS besides (a missed event, a call gone with its
// node). The extra source (in memory) is looked at every SOURCE_MS either way.
const POLL_MS = 1000;
const DEBOUNCE_MS = 100;
const RECONCILE_MS = 10_000;
const SOURCE_MS = 1000;
const KEEP_ALIVE_MS = 15_000;

export interface LiveFeedDeps {
  calls: Pick<CallOperations, 'list'>;
  node: string;
  source?: LiveSource;
  // Call events (the event stream): the feed then follows them instead of polling.
  changes?: CallChanges;
}

// Server-sent events for the console: the live calls (read from the call store, which every
// controller instance writes) as `calls`, each time a call event says one changed, and each extra
// source under its name, sent when changed; a comment line keeps proxies from closing a quiet stream.
export function liveFeed(deps: LiveFeedDeps): RequestHandler {
  return (req, res) => {
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const last = new Map<string, string>();
    let quietSince = Date.now();
    const send = (event: string, data: unknown): void => {
      const json = JSON.stringify(data);
      if (last.get(event) === json) return;
      last.set(event, json);
      res.write(`event: ${event}\ndata: ${json}\n\n`);
      quietSince = Date.now();
    };
    const failed = (error: unknown): void => {
      // Said to the console, which shows the feed as stale; the next read tries again.
      res.write(`event: feed-error\ndata: ${JSON.stringify({ error: errorMessage(error) })}\n\n`);
    };
    const calls = serialized(async () => {
      const list = await deps.calls.list({});
      send('calls', { at: new Date().toISOString(), node: deps.node, via: deps.changes ? 'events' : 'poll', calls: list });
    }, failed);
    const source = serialized(async () => {
      if (deps.source) send(deps.source.name, await deps.source.snapshot());
      if (Date.now() - quietSince > KEEP_ALIVE_MS) {
        res.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
    }, failed);

    let debounce: NodeJS.Timeout | undefined;
    const onChange = (): void => {
      debounce ??= setTimeout(() => {
        debounce = undefined;
        calls();
      }, DEBOUNCE_MS);
    };
    const unsubscribe = deps.changes?.subscribe(onChange);
    calls();
    source();
    const timers = [setInterval(calls, deps.changes ? RECONCILE_MS : POLL_MS), setInterval(source, SOURCE_MS)];
    req.on('close', () => {
      unsubscribe?.();
      if (debounce) clearTimeout(debounce);
      for (const timer of timers) clearInterval(timer);
    });
  };
}

// Runs `work` once at a time; a call while it runs makes it run once more after, so a change heard
// mid-read is never lost.
function serialized(work: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    work()
      .catch(onError)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}
