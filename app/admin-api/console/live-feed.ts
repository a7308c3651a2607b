import { type RequestHandler } from 'express';
import { type CallOperations } from '../../call-state';
import { errorMessage } from '../../shared/kernel';

// Something else the console shows live (the alarms), read as often as the calls.
export interface LiveSource {
  name: string;
  snapshot: () => Promise<unknown>;
}

const INTERVAL_MS = 1000;
const KEEP_ALIVE_MS = 15_000;

// Server-sent events for the console: the live calls (read from the call store, which every
// controller instance writes) as `calls`, and each extra source under its name, sent when changed,
// at most once a second; a comment line keeps proxies from closing a quiet stream.
export function liveFeed(deps: { calls: Pick<CallOperations, 'list'>; node: string; source?: LiveSource }): RequestHandler {
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
    let running = false;
    const tick = async (): Promise<void> => {
      if (running) return;
      running = true;
      try {
        const calls = await deps.calls.list({});
        send('calls', { at: new Date().toISOString(), node: deps.node, calls });
        if (deps.source) send(deps.source.name, await deps.source.snapshot());
        if (Date.now() - quietSince > KEEP_ALIVE_MS) {
          res.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
      } catch (error) {
        // Said to the console, which shows the feed as stale, and tried again next second.
        res.write(`event: feed-error\ndata: ${JSON.stringify({ error: errorMessage(error) })}\n\n`);
      } finally {
        running = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), INTERVAL_MS);
    req.on('close', () => clearInterval(timer));
  };
}
