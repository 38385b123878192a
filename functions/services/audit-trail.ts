import type { AuditEntity, AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { Principal } from './principal.ts';

/** Records' audit trails as the API pages them: newest first, with a signed cursor to older events. */
export function createAuditTrail(deps: { audit: AuditRepository; cursors: CursorCodec }) {
  return {
    /** One page of a record's events; the caller has checked that the principal may see the record. */
    async page(principal: Principal, entity: AuditEntity, id: string, page: { limit: number; cursor?: string }) {
      const binding = `events|${principal.sub}|${entity}|${id}`;
      const result = await deps.audit.pageForEntity(entity, id, { limit: page.limit, start: deps.cursors.decode(page.cursor, binding) });
      return { items: result.items, nextCursor: deps.cursors.encode(result.next, binding) };
    },
  };
}
export type AuditTrail = ReturnType<typeof createAuditTrail>;
