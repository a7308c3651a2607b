import { type Identity, type WarrantTarget } from './ports';

export type WarrantStatus = 'active' | 'deactivated';

export interface Warrant {
  id: string;
  agencyId: string;
  targets: WarrantTarget[];
  // Events and content (true) or events only (false).
  content: boolean;
  validFrom: Date;
  validUntil: Date;
  status: WarrantStatus;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt?: Date;
}

// A warrant intercepts only while it is active and inside its validity window [from, until).
export function intercepts(warrant: Pick<Warrant, 'status' | 'validFrom' | 'validUntil'>, at: Date): boolean {
  const t = at.getTime();
  return warrant.status === 'active' && warrant.validFrom.getTime() <= t && t < warrant.validUntil.getTime();
}

// The target values an identity is known by, as warrant targets.
export function targetKeysOf(identity: Identity): WarrantTarget[] {
  return [
    { type: 'user', value: identity.userId },
    { type: 'sipUsername', value: identity.username },
    { type: 'phoneNumber', value: identity.phoneNumber },
  ];
}

export function matchesIdentity(targets: WarrantTarget[], identity: Identity | undefined): boolean {
  if (!identity) return false;
  const keys = targetKeysOf(identity);
  return targets.some((target) => keys.some((key) => key.type === target.type && key.value === target.value));
}
