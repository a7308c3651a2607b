import { type Carrier, type CarrierChange } from './carrier';
import { type CarrierIdentity } from './carrier-identity';

// The lookups of the call path: every outbound attempt finds its carrier, every call from the
// phone network the carrier it came in from. Plain SQL in production (pg-carrier-lookups.ts).
export interface CarrierLookups {
  // A carrier not deleted (enabled or not).
  find(id: string): Promise<Carrier | undefined>;
  findByEndpoint(endpointId: string): Promise<Carrier | undefined>;
}

export interface CarrierRepository extends CarrierLookups {
  // Creates the carrier and its PJSIP rows atomically. Throws CarrierNameTakenError.
  create(carrier: Omit<Carrier, 'createdAt' | 'updatedAt'>, identity: CarrierIdentity): Promise<Carrier>;
  update(id: string, change: Omit<CarrierChange, 'authPassword'>, identity: (carrier: Carrier) => CarrierIdentity): Promise<Carrier | undefined>;
  list(): Promise<Carrier[]>;
  // The current outbound password, kept only in Asterisk's auth row (also while disabled).
  passwordOf(endpointId: string): Promise<string | undefined>;
  // Marks the carrier deleted and removes its PJSIP rows. False when there was none.
  softDelete(id: string, at: Date): Promise<boolean>;
  // Sets every carrier endpoint's outbound proxy (the edge's URI, or none); the number changed.
  setOutboundProxy(proxy: string | null): Promise<number>;
}

// The switch's outbound registrations. Asterisk's registration module reads a realtime
// registration row only when something asks it for that row, and forgets a deleted row only when
// it reloads: a change must be pushed to it.
export interface OutboundRegistrations {
  // The switch reads this registration row now and registers as it says (nothing happens when the
  // row did not change; a changed row replaces the registration).
  apply(registrationId: string): Promise<void>;
  // The switch drops registrations whose rows are gone, unregistering from those carriers.
  purge(): Promise<void>;
}
