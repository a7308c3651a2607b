import bcrypt from 'bcryptjs';
import { type PasswordHasher } from './ports';

// bcrypt through bcryptjs: plain JavaScript with no native addon, so it installs from the npm
// registry alone on any machine (argon2's packages load a native binary). Cost 12 by default
// (~250 ms a hash here); passwords over bcrypt's 72 bytes are refused by the API schema.
export class BcryptPasswordHasher implements PasswordHasher {
  constructor(private readonly cost = 12) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
