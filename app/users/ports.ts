import { type DirectoryChanges } from '../shared/events';
import { type SipIdentity } from './sip-identity';
import { type MediaEncryption, type Suspension, type User } from './user';

// The lookups of the call path: every call looks up its caller and its callee (on a miss of the
// short cache, user-cache.ts). Plain SQL in production (pg-user-lookups.ts).
export interface UserLookups {
  findActiveById(id: string): Promise<User | undefined>;
  findActiveByUsername(username: string): Promise<User | undefined>;
  findActiveByPhoneNumber(phoneNumber: string): Promise<User | undefined>;
}

export interface UserRepository extends UserLookups {
  // Creates the user and its SIP identities (phones', browsers') atomically. Throws UsernameTakenError / PhoneNumberTakenError.
  create(user: { username: string; phoneNumber: string; mediaEncryption: MediaEncryption }, identities: readonly SipIdentity[]): Promise<User>;
  // Marks the user deleted and removes its SIP identity and registrations. False if no active user.
  softDelete(id: string, at: Date): Promise<boolean>;
  // Suspends (a suspension) or resumes (null) an active user; the user as it is now, or undefined.
  setSuspension(id: string, suspension: Suspension | null): Promise<User | undefined>;
  // Sets an active user's media encryption policy and its endpoint's SRTP settings; the user, or undefined.
  setMediaEncryption(id: string, policy: MediaEncryption, endpoint: Pick<SipIdentity['endpoint'], 'mediaEncryption' | 'mediaEncryptionOptimistic'>): Promise<User | undefined>;
  // Replaces the digest credential Asterisk checks (its auth row is read on every request). False if no active user.
  setSipCredential(id: string, md5Cred: string): Promise<boolean>;
}

export type { DirectoryChanges };
