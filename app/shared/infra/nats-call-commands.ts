import { type NatsConnection, type Subscription } from 'nats';
import { callCommandSubject, type CallCommand, type CallCommandReply } from '../events';
import { AppError, errorMessage } from '../kernel';
import { type Logger } from './logger';

// Operator commands between controller instances over NATS request/reply: each instance answers on
// its own subject (calls.cmd.v1.<instance id>); a sender waits up to timeoutMs for the owner.
export class NatsCallCommands {
  private subscription?: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: { instanceId: string; timeoutMs: number; log: Logger },
  ) {}

  async forward(owner: string, command: CallCommand): Promise<CallCommandReply> {
    try {
      const reply = await this.nc.request(callCommandSubject(owner), JSON.stringify(command), { timeout: this.options.timeoutMs });
      return JSON.parse(reply.string()) as CallCommandReply;
    } catch (error) {
      // No responders (nobody subscribes: the owner is down) and a timeout both mean unreachable.
      return { outcome: 'unreachable', message: errorMessage(error) };
    }
  }

  // Answers the commands sent to this instance with what `execute` does with them.
  serve(execute: (command: CallCommand) => Promise<CallCommandReply>): void {
    const log = this.options.log;
    this.subscription = this.nc.subscribe(callCommandSubject(this.options.instanceId), {
      callback: (error, msg) => {
        if (error) {
          log.warn('call command subscription failed', { error: errorMessage(error) });
          return;
        }
        void (async () => {
          let reply: CallCommandReply;
          try {
            const command = JSON.parse(msg.string()) as CallCommand;
            reply = await execute(command);
            log.info('forwarded call command run', { kind: command.kind, ...('callId' in command ? { callId: command.callId } : {}), outcome: reply.outcome });
          } catch (failure) {
            log.warn('forwarded call command failed', { error: errorMessage(failure) });
            // A refusal the operator must see as such (its code) rather than as a failure.
            reply = failure instanceof AppError ? { outcome: 'refused', code: failure.code, message: failure.message, kind: failure.kind } : { outcome: 'failed', message: errorMessage(failure) };
          }
          msg.respond(JSON.stringify(reply));
        })();
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }
}
