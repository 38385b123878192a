import { IdempotencyKeyReusedError, ReplayResponse } from '#functions/core/errors.ts';
import { getItem, type Item, type Table, type TxOp } from './table.ts';

export type IdempotencyClaim = { key: string; fingerprint: string };
export type StoredResponse = { fingerprint: string; status: number; body: unknown };

/**
 * A phone can send a write, lose the answer, and be out of coverage for days before it sends
 * again: the key must still be known then, or the resend applies the write twice. A week, not
 * longer, because the stored answers hold what the write returned (a producer's phone).
 */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * Idempotency records. Key: PK `P#38#IDEM#<caller>#<Idempotency-Key>`, SK `META`; expire
 * after 7 days (TTL `expiresAt`). The record is written in the same transaction as the change
 * it answers, so a change and its stored answer exist together or not at all.
 */
export function createIdempotencyRepository(table: Table) {
  const key = (sub: string, k: string) => ({ PK: `${table.prefix}IDEM#${sub}#${k}`, SK: 'META' });
  const toReplay = (item: Item, fingerprint: string): Error =>
    item.fingerprint === fingerprint ? new ReplayResponse(item.status as number, item.body) : new IdempotencyKeyReusedError();
  return {
    async find(sub: string, claim: IdempotencyClaim): Promise<ReplayResponse | undefined> {
      const item = await getItem(table, key(sub, claim.key), true);
      if (!item) return undefined;
      const outcome = toReplay(item, claim.fingerprint);
      if (outcome instanceof ReplayResponse) return outcome;
      throw outcome;
    },
    recordOp(sub: string, claim: IdempotencyClaim, status: number, body: unknown): TxOp {
      const item = { ...key(sub, claim.key), type: 'idempotency', fingerprint: claim.fingerprint, status, body, expiresAt: Math.floor(Date.now() / 1000) + TTL_SECONDS };
      return {
        item: { Put: { TableName: table.name, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
        onConditionFailed: (old) => (old ? toReplay(old, claim.fingerprint) : new IdempotencyKeyReusedError()),
      };
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
