import { type SipIdentity } from './sip-identity';
import { type User } from './user';

export interface UserRepository {
  // Creates the user and its SIP identity atomically. Throws UsernameTakenError / PhoneNumberTakenError.
  create(user: { username: string; phoneNumber: string }, sip: SipIdentity): Promise<User>;
  findActiveById(id: string): Promise<User | undefined>;
  findActiveByUsername(username: string): Promise<User | undefined>;
  findActiveByPhoneNumber(phoneNumber: string): Promise<User | undefined>;
  // Marks the user deleted and removes its SIP identity and registrations. False if no active user.
  softDelete(id: string, at: Date): Promise<boolean>;
}
