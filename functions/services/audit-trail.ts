import type { AuditEntity, AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import { canSee, type Principal } from './principal.ts';

/** Records' audit trails as the API pages them: newest first, with a signed cursor to older events. */
export function createAuditTrail(deps: { audit: AuditRepository; cursors: CursorCodec }) {
  return {
    /** One page of a record's events; the caller has checked that the principal may see the record. */
    async page(principal: Principal, entity: AuditEntity, id: string, page: { limit: number; cursor?: string }) {
      const binding = `events|${principal.sub}|${entity}|${id}`;
      const result = await deps.audit.pageForEntity(entity, id, { limit: page.limit, start: deps.cursors.decode(page.cursor, binding) });
      return { items: result.items, nextCursor: deps.cursors.encode(result.next, binding) };
    },
    /**
     * The trail of a producer or product that is gone (deleted, or merged into another), for whoever
     * could see it when it went — judged on the record as its last event kept it; null when it is
     * not gone, never existed, or was out of the caller's scope (who then learns nothing of it).
     */
    async pageOfGone(principal: Principal, entity: 'producer' | 'product', id: string, page: { limit: number; cursor?: string }) {
      const last = (await deps.audit.pageForEntity(entity, id, { limit: 1 })).items[0];
      const gone = last && (last.action === 'delete' || (last.action === 'merge' && last.after && 'mergedInto' in last.after));
      if (!gone || !last.before) return null;
      const placement = { communeCode: String(last.before.communeCode ?? ''), producerId: entity === 'producer' ? id : String(last.before.producerId ?? '') };
      return canSee(principal, placement) ? this.page(principal, entity, id, page) : null;
    },
  };
}
export type AuditTrail = ReturnType<typeof createAuditTrail>;
