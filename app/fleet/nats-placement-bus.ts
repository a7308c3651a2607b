import { ErrorCode, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { CALL_PLACEMENT_QUEUE, CALL_PLACEMENT_SUBJECT, type CallCommandReply } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { AppError, errorMessage } from '../shared/kernel';
import { type PlacementBus, type StartCall } from './ports';

type NodeReply = CallCommandReply & { node?: string };

// Click-to-calls over NATS: a request on calls.place.v1, answered by one member of the queue group
// of nodes whose switch is up. A node joins the group while its switch is up and leaves it when it
// goes down (checked every checkMs); one that gets a request in between answers 'unwell'.
export class NatsPlacementBus implements PlacementBus {
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: { node: string; timeoutMs: number; log: Logger },
  ) {}

  async request(command: StartCall): Promise<NodeReply> {
    try {
      const reply = await this.nc.request(CALL_PLACEMENT_SUBJECT, JSON.stringify(command), { timeout: this.options.timeoutMs });
      return JSON.parse(reply.string()) as NodeReply;
    } catch (error) {
      // No responder: no node is in the group, nothing was placed. A timeout: a node took it and
      // may have placed it.
      if ((error as Partial<NatsError>).code === ErrorCode.NoResponders) return { outcome: 'unreachable', message: 'no switch node is up' };
      return { outcome: 'failed', message: errorMessage(error) };
    }
  }

  // Places the requests this node gets with `execute`, while ready() says its switch is up.
  serve(execute: (command: StartCall) => Promise<CallCommandReply>, ready: () => boolean, checkMs = 500): void {
    const { log, node } = this.options;
    const sync = (): void => {
      if (ready() && !this.subscription) {
        this.subscription = this.nc.subscribe(CALL_PLACEMENT_SUBJECT, { queue: CALL_PLACEMENT_QUEUE, callback: (error, msg) => {
          if (error) {
            log.warn('call placement subscription failed', { error: errorMessage(error) });
            return;
          }
          void (async () => {
            let reply: NodeReply;
            if (!ready()) {
              reply = { outcome: 'unwell', message: 'the switch of this node is down', node };
            } else {
              try {
                reply = { ...(await execute(JSON.parse(msg.string()) as StartCall)), node };
              } catch (failure) {
                reply = failure instanceof AppError ? { outcome: 'refused', code: failure.code, message: failure.message, kind: failure.kind, node } : { outcome: 'failed', message: errorMessage(failure), node };
              }
            }
            log.info('click-to-call request answered', { outcome: reply.outcome });
            msg.respond(JSON.stringify(reply));
          })();
        } });
        log.info('placing click-to-calls: the switch is up');
      } else if (!ready() && this.subscription) {
        this.subscription.unsubscribe();
        this.subscription = undefined;
        log.warn('no longer placing click-to-calls: the switch is down');
      }
    };
    sync();
    this.timer = setInterval(sync, checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
