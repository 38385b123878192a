import type { IdempotencyClaim, IdempotencyRepository } from '#functions/repositories/idempotency-repository.ts';
import { transact, type Table, type TxOp } from '#functions/repositories/table.ts';
import type { Principal } from './principal.ts';

/** Who is writing, and the idempotency key the write answers to, if any. */
export type WriteContext = { principal: Principal; idempotency?: IdempotencyClaim };

export type Committer = (ctx: WriteContext, ops: TxOp[], response: { status: number; body: unknown }) => Promise<void>;

/** Commits a change together with its idempotency record, in one transaction. */
export function createCommitter(table: Table, idempotency: IdempotencyRepository): Committer {
  return async (ctx, ops, response) => {
    const all = ctx.idempotency ? [...ops, idempotency.recordOp(ctx.principal.sub, ctx.idempotency, response.status, response.body)] : ops;
    await transact(table, all);
  };
}
