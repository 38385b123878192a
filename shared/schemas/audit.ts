import { z } from 'zod';

export const AuditEventSchema = z
  .object({
    id: z.string(),
    entityType: z.enum(['producer', 'product', 'user', 'account', 'listing']),
    entityId: z.string(),
    action: z.enum(['create', 'update', 'delete', 'merge', 'reset-sign-in']),
    actor: z.object({ id: z.string(), username: z.string() }),
    at: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEventSchema>;
