import { z } from 'zod';
import { CONNECTION_SUBJECTS } from './subjects';

// Connection events, version 1: a user's device registering, refreshing its registration,
// expiring and unregistering, as the switch reports them.
const base = {
  id: z.string().min(1),
  version: z.literal(1),
  occurredAt: z.iso.datetime(),
  username: z.string(),
  // Asterisk's contact id (AOR + hash of the URI): the connection's identity.
  connectionId: z.string(),
  contactUri: z.string(),
};

export const DeviceRegisteredSchema = z.object({
  ...base,
  type: z.literal(CONNECTION_SUBJECTS.registered),
  transport: z.string().optional(),
  userAgent: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
});
export const DeviceRefreshedSchema = z.object({ ...base, type: z.literal(CONNECTION_SUBJECTS.refreshed), expiresAt: z.iso.datetime().optional() });
export const DeviceExpiredSchema = z.object({ ...base, type: z.literal(CONNECTION_SUBJECTS.expired) });
export const DeviceUnregisteredSchema = z.object({ ...base, type: z.literal(CONNECTION_SUBJECTS.unregistered) });

export const ConnectionEventSchema = z.discriminatedUnion('type', [DeviceRegisteredSchema, DeviceRefreshedSchema, DeviceExpiredSchema, DeviceUnregisteredSchema]);

export type ConnectionEvent = z.infer<typeof ConnectionEventSchema>;
