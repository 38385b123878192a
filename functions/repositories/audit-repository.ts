import type { AuditEvent } from '#shared/schemas/audit.ts';
import { newId } from '#functions/core/ids.ts';
import type { Principal } from '#functions/services/principal.ts';
import { queryAcross, type PageState, type Table, type TxOp } from './table.ts';

export type AuditEntity = AuditEvent['entityType'];

/**
 * Audit trail. Key: PK `P#38#AUDIT#<type>#<id>`, SK `<iso time>#<event id>` — one entity's
 * events in time order. Events are written by the same transaction as the change.
 */
export function createAuditRepository(table: Table) {
  const pk = (type: AuditEntity, id: string) => `${table.prefix}AUDIT#${type.toUpperCase()}#${id}`;
  return {
    /** The transaction op that records one change; `before`/`after` must already be free of clear personal data. */
    recordOp(e: Omit<AuditEvent, 'id' | 'at' | 'actor'> & { actor: Principal; at: string; id?: string }): TxOp {
      const id = e.id ?? newId();
      const item = { PK: pk(e.entityType, e.entityId), SK: `${e.at}#${id}`, type: 'audit', ...e, id, actor: { id: e.actor.sub, username: e.actor.username } };
      return { item: { Put: { TableName: table.name, Item: item } } };
    },
    /** The entity's first `limit` events, oldest first. */
    async listForEntity(type: AuditEntity, id: string, limit = 100): Promise<AuditEvent[]> {
      return (await this.pageForEntity(type, id, { limit, newestFirst: false })).items;
    },
    /** One page of the entity's events, newest first unless asked otherwise, and where the next page starts. */
    async pageForEntity(type: AuditEntity, id: string, page: { limit: number; start?: PageState; newestFirst?: boolean }): Promise<{ items: AuditEvent[]; next?: PageState }> {
      const { items, next } = await queryAcross(table, [{ pk: pk(type, id) }], { limit: page.limit, start: page.start, descending: page.newestFirst ?? true });
      return { items: items.map(({ PK: _pk, SK: _sk, type: _t, ...rest }) => rest as AuditEvent), next };
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
