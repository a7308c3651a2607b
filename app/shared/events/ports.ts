// What modules need to publish and consume events; implemented over NATS JetStream in
// app/shared/infra/jetstream.

export interface PublishableEvent {
  id: string;
  type: string; // the subject
  // The call it is about: the events of one call are published in the order they were queued.
  callId?: string;
}

export interface EventPublisher {
  // Accepted for publication: durably queued and published with the event id as message id,
  // retried until JetStream acknowledges. Resolves once queued, not once published.
  publish(event: PublishableEvent): Promise<void>;
}

// A consumer's handler commits its work and resolves; it rejects to ask for a redelivery.
// PermanentEventError: this message can never succeed; it goes to the dead-letter subject.
export class PermanentEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEventError';
  }
}
