import type { User, UserCreate } from '#shared/schemas/user.ts';
import { ValidationError } from '#functions/core/errors.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { UserRecord, UserRepository } from '#functions/repositories/user-repository.ts';
import type { IdentityProvider } from './auth-service.ts';
import { assertRole, type Principal } from './principal.ts';
import { assertKnownCommune } from './producer-service.ts';
import type { Committer, WriteContext } from './write-context.ts';

export function userView(u: UserRecord): User {
  const { passwordHash: _h, ...view } = u;
  return view;
}

type Deps = { users: UserRepository; producers: ProducerRepository; audit: AuditRepository; identity: IdentityProvider; cursors: CursorCodec; commit: Committer };

export function createUserService(deps: Deps) {
  const { users, producers, audit, identity, cursors, commit } = deps;
  return {
    async create(ctx: WriteContext, input: UserCreate): Promise<User> {
      assertRole(ctx.principal, 'admin');
      input.communes?.forEach((c, i) => assertKnownCommune(c, `communes.${i}`));
      if (input.producerId && !(await producers.get(input.producerId))) throw new ValidationError([{ path: 'producerId', message: 'no such producer' }], 'Unknown producer');
      const identityRecord = await identity.createIdentity(input.username, input.password);
      const now = new Date().toISOString();
      const record: UserRecord = {
        id: identityRecord.sub,
        username: input.username,
        role: input.role,
        ...(input.communes ? { communes: [...new Set(input.communes)].sort() } : {}),
        ...(input.producerId ? { producerId: input.producerId } : {}),
        disabled: false,
        ...(identityRecord.passwordHash ? { passwordHash: identityRecord.passwordHash } : {}),
        createdAt: now,
      };
      const view = userView(record);
      await commit(
        ctx,
        [...users.createOps(record), audit.recordOp({ entityType: 'user', entityId: record.id, action: 'create', actor: ctx.principal, at: now, before: null, after: view })],
        { status: 201, body: view },
      );
      return view;
    },
    async list(principal: Principal, page: { limit: number; cursor?: string }) {
      assertRole(principal, 'admin');
      const binding = `users|${principal.sub}`;
      const result = await users.list({ limit: page.limit, start: cursors.decode(page.cursor, binding) });
      return { items: result.items.map(userView), nextCursor: cursors.encode(result.next, binding) };
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
