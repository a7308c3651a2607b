// A change an operator made through the admin API of one controller that every controller's caches
// (and each node's switch, whose sorcery memory caches hold SIP identities) must see at once.
// Core NATS, fire and forget: a notice that is lost (NATS down) still takes effect within the
// caches' own lifetimes (USER_LOOKUP_CACHE_MS, CALL_POLICY_CACHE_MS, sorcery's object lifetime).
export type DirectoryChange =
  // Deleted, suspended, resumed, password or media policy changed: its lookups and SIP identity.
  | { kind: 'user'; userId: string; username: string }
  // Changed or deleted: its endpoint, auth and AOR (all named by its endpoint id).
  | { kind: 'carrier'; endpointId: string }
  // Limits or caps of one user, or of everyone (a price plan's).
  | { kind: 'call_policy'; userId?: string }
  | { kind: 'blocklist' };

export interface DirectoryChangeNotice {
  // The instance that made the change (and applied it already).
  origin: string;
  change: DirectoryChange;
}

export const DIRECTORY_CHANGES_SUBJECT = 'directory.v1.changed';

// Where a module reports its changes (app/directory-sync), so that no instance's cache and no
// node's switch keeps the old data.
export interface DirectoryChanges {
  changed(change: DirectoryChange): Promise<void>;
}
