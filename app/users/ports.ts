import { type SipIdentity } from './sip-identity';
import { type User } from './user';

// The lookups of the call path: every call looks up its caller and its callee (on a miss of the
// short cache, user-cache.ts). Plain SQL in production (pg-user-lookups.ts).
export interface UserLookups {
  findActiveById(id: string): Promise<User | undefined>;
  findActiveByUsername(username: string): Promise<User | undefined>;
  findActiveByPhoneNumber(phoneNumber: string): Promise<User | undefined>;
}

export interface UserRepository extends UserLookups {
  // Creates the user and its SIP identity atomically. Throws UsernameTakenError / PhoneNumberTakenError.
  create(user: { username: string; phoneNumber: string }, sip: SipIdentity): Promise<User>;
  // Marks the user deleted and removes its SIP identity and registrations. False if no active user.
  softDelete(id: string, at: Date): Promise<boolean>;
}
