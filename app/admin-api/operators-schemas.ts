import { z } from 'zod';
import { ROLES } from '../operators';

// bcrypt reads at most 72 bytes of a password: a longer one is refused rather than cut silently.
const Password = z
  .string()
  .min(12)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'at most 72 bytes');

export const CreateOperatorRequest = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,64}$/, '3-64 lowercase letters, digits, ".", "_" or "-"'),
    password: Password,
    role: z.enum(ROLES),
  })
  .strict();

export const UpdateOperatorRequest = z
  .object({ role: z.enum(ROLES).optional(), password: Password.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');

export const CreateTokenRequest = z.object({ name: z.string().min(1).max(64) }).strict();

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const AuditQuery = z
  .object({
    operatorId: z.uuid().optional(),
    operator: z.string().min(1).max(64).optional(),
    action: z.string().min(1).max(64).optional(),
    target: z.string().min(1).max(200).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    cursor: z.string().regex(/^\d{1,19}$/).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
