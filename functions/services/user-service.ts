import type { User, UserCreate, UserUpdate } from '#shared/schemas/user.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#functions/core/errors.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { UserRecord, UserRepository } from '#functions/repositories/user-repository.ts';
import type { IdentityProvider } from './auth-service.ts';
import { sessionsEndAt } from './auth-service.ts';
import { assertRole, type Principal } from './principal.ts';
import { assertKnownCommune } from './producer-service.ts';
import type { Committer, WriteContext } from './write-context.ts';

export function userView(u: UserRecord): User {
  const { passwordHash: _h, tokensValidAfter: _t, ...view } = u;
  return view;
}

type Deps = {
  users: UserRepository;
  producers: ProducerRepository;
  audit: AuditRepository;
  identity: IdentityProvider;
  cursors: CursorCodec;
  commit: Committer;
  /** Called after a user's sign-in or scope changed, so this process stops trusting what it cached. */
  onChanged?: (id: string) => void;
};

export function createUserService(deps: Deps) {
  const { users, producers, audit, identity, cursors, commit, onChanged } = deps;
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
      try {
        await commit(
          ctx,
          [...users.createOps(record), audit.recordOp({ entityType: 'user', entityId: record.id, action: 'create', actor: ctx.principal, at: now, before: null, after: view })],
          { status: 201, body: view },
        );
      } catch (e) {
        // No identity without its user record: remove the one just made, unless the write did land
        // (a timeout can hide a committed transaction).
        if (!(await users.get(record.id, { consistent: true }).catch(() => record))) await identity.deleteIdentity(input.username).catch(() => undefined);
        throw e;
      }
      return view;
    },
    /**
     * Disables or re-enables a user: first at the identity provider (Cognito: sign-in blocked and
     * refresh tokens revoked, or allowed again), then in the table, together with the stored
     * answer to the Idempotency-Key. So a request that failed half-way has stored nothing, and
     * repeating it — with the same key or not — does every step again (each is idempotent).
     */
    async update(ctx: WriteContext, id: string, change: UserUpdate): Promise<User> {
      assertRole(ctx.principal, 'admin');
      const before = await users.get(id);
      if (!before) throw new NotFoundError('User');
      if (change.disabled && id === ctx.principal.sub) throw new ForbiddenError('You cannot disable your own account');
      const after: UserRecord = { ...before, disabled: change.disabled };
      await (change.disabled ? identity.disableIdentity(before.username) : identity.enableIdentity(before.username));
      // Its tokens stay refused after it is enabled again: that needs a new sign-in.
      if (change.disabled) await users.endSessions(id, sessionsEndAt());
      if (before.disabled !== change.disabled) {
        const now = new Date().toISOString();
        await commit(
          ctx,
          [users.setDisabledOp(before, change.disabled), audit.recordOp({ entityType: 'user', entityId: id, action: 'update', actor: ctx.principal, at: now, before: userView(before), after: userView(after) })],
          { status: 200, body: userView(after) },
        );
        onChanged?.(id);
      }
      return userView(after);
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
