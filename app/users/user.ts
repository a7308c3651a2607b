import { AppError, ConflictError, NotFoundError } from '../shared/kernel';

export interface User {
  id: string;
  username: string;
  phoneNumber: string;
  createdAt: Date;
  // Set while an operator has suspended the user (app/call-policy refuses its calls but emergency ones).
  suspended?: Suspension;
  // How the media of the user's devices is encrypted (SDES-SRTP over SIP/TLS): see MEDIA_ENCRYPTION_POLICIES.
  mediaEncryption: MediaEncryption;
}

export interface Suspension {
  reason: string;
  at: Date;
}

export const SUSPENSION_REASON_MAX_LENGTH = 200;

export interface NewUser {
  username: string;
  password: string;
  phoneNumber: string;
  mediaEncryption?: MediaEncryption;
}

// Media encryption policy of a user's devices. required: SRTP only (a device must register and call
// over TLS, a plain one is refused); optional: SRTP is offered to devices on TLS and accepted from
// them, plain RTP otherwise; off: plain RTP only. Carriers keep plain RTP whatever the user's policy.
export const MEDIA_ENCRYPTION_POLICIES = ['required', 'optional', 'off'] as const;
export type MediaEncryption = (typeof MEDIA_ENCRYPTION_POLICIES)[number];
export const DEFAULT_MEDIA_ENCRYPTION: MediaEncryption = 'optional';
export const isMediaEncryption = (value: unknown): value is MediaEncryption => (MEDIA_ENCRYPTION_POLICIES as readonly unknown[]).includes(value);

// Usernames start with a letter, so a dialled string is either a username or a phone number.
// No underscore: it is reserved for the platform's own SIP endpoints (carriers, tests).
export const USERNAME_PATTERN = /^[a-z][a-z0-9.-]{2,31}$/;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 64;

export class UserNotFoundError extends NotFoundError {
  constructor(userId: string) {
    super('USER.NOT_FOUND', 'no such user', { userId });
  }
}

export class UsernameTakenError extends ConflictError {
  constructor(username: string) {
    super('USER.USERNAME_TAKEN', 'the username is already taken', { username });
  }
}

export class PhoneNumberTakenError extends ConflictError {
  constructor(phoneNumber: string) {
    super('USER.PHONE_NUMBER_TAKEN', 'the phone number already belongs to a user', { phoneNumber });
  }
}

export class InvalidUserError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super('USER.INVALID', message, 'invalid', details);
  }
}
