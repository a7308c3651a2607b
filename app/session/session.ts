// A registered device of a user (one PJSIP contact): where the user can be reached now.
export interface Session {
  id: string;
  username: string;
  contactUri: string;
  userAgent?: string;
  expiresAt: Date;
}
