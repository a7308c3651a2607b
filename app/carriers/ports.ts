import { type Carrier, type CarrierChange } from './carrier';
import { type CarrierIdentity } from './carrier-identity';

export interface CarrierRepository {
  // Creates the carrier and its PJSIP rows atomically. Throws CarrierNameTakenError.
  create(carrier: Omit<Carrier, 'createdAt' | 'updatedAt'>, identity: CarrierIdentity): Promise<Carrier>;
  update(id: string, change: Omit<CarrierChange, 'authPassword'>, identity: (carrier: Carrier) => CarrierIdentity): Promise<Carrier | undefined>;
  find(id: string): Promise<Carrier | undefined>;
  findByEndpoint(endpointId: string): Promise<Carrier | undefined>;
  list(): Promise<Carrier[]>;
  // The current outbound password, kept only in Asterisk's auth row.
  passwordOf(endpointId: string): Promise<string | undefined>;
  // Marks the carrier deleted and removes its PJSIP rows. False when there was none.
  softDelete(id: string, at: Date): Promise<boolean>;
}
