import { scopeIssues, type User, type UserCreate, type UserSignInReset, type UserUpdate } from '#shared/schemas/user.ts';
import { ConflictError, ForbiddenError, NotFoundError, RaceError, ValidationError, retryOnRace } from '#functions/core/errors.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { TxOp } from '#functions/repositories/table.ts';
import type { UserRecord, UserRepository } from '#functions/repositories/user-repository.ts';
import type { IdentityProvider } from './auth-service.ts';
import { sessionsEndAt } from './auth-service.ts';
import { assertRole, type Principal } from './principal.ts';
import { assertKnownCommune } from './producer-service.ts';
import type { Committer, WriteContext } from './write-context.ts';
import { applyUserChange, userView } from './user-rules.ts';

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


const sameUser = (a: UserRecord, b: UserRecord) =>
  a.role === b.role && a.disabled === b.disabled && a.producerId === b.producerId && (a.communes ?? []).join() === (b.communes ?? []).join();

const unknownProducer = () => new ValidationError([{ path: 'producerId', message: 'no such producer' }], 'Unknown producer');

export function createUserService(deps: Deps) {
  const { users, producers, audit, identity, cursors, commit, onChanged } = deps;

  /**
   * The writes that keep the bound-user counts of the producers a user leaves and joins, to go in
   * the user's own transaction: a delete or merge of either producer at the same moment then fails
   * (and judges again), or this write does. The producer joined must exist (else 400, also when it
   * is deleted before this write lands); one left that is already gone (a user bound before counts
   * were kept) is let go.
   */
  async function bindingOps(left: string | undefined, joined: string | undefined): Promise<TxOp[]> {
    if (left === joined) return [];
    const ops: TxOp[] = [];
    const was = left ? await producers.get(left, { consistent: true }) : undefined;
    if (was) ops.push(producers.userCountOp(was, Math.max(0, (await users.boundCount(was)) - 1)));
    if (joined) {
      const is = await producers.get(joined, { consistent: true });
      if (!is) throw unknownProducer();
      ops.push({ ...producers.userCountOp(is, (await users.boundCount(is)) + 1), onConditionFailed: (old) => (old ? new RaceError() : unknownProducer()) });
    }
    return ops;
  }

  return {
    async create(ctx: WriteContext, input: UserCreate): Promise<User> {
      assertRole(ctx.principal, 'admin');
      input.communes?.forEach((c, i) => assertKnownCommune(c, `communes.${i}`));
      // Judged before the identity is made, so that an unknown producer leaves none behind.
      let binding: TxOp[] | undefined = await bindingOps(undefined, input.producerId);
      const identityRecord = await identity.createIdentity(input.username, input.password);
      const now = new Date().toISOString();
      const record: UserRecord = {
        id: identityRecord.sub,
        username: input.username,
        role: input.role,
        ...(input.communes ? { communes: [...new Set(input.communes)].sort() } : {}),
        ...(input.producerId ? { producerId: input.producerId } : {}),
        disabled: false,
        version: 1,
        ...(identityRecord.passwordHash ? { passwordHash: identityRecord.passwordHash } : {}),
        createdAt: now,
      };
      const view = userView(record);
      try {
        // Judged again when another user was bound to or taken from the producer meanwhile.
        await retryOnRace(async () => {
          const ops = binding ?? (await bindingOps(undefined, input.producerId));
          binding = undefined;
          await commit(
            ctx,
            [...users.createOps(record), ...ops, audit.recordOp({ entityType: 'user', entityId: record.id, action: 'create', actor: ctx.principal, at: now, before: null, after: view })],
            { status: 201, body: view },
          );
        });
      } catch (e) {
        // No identity without its user record: remove the one just made, unless the write did land
        // (a timeout can hide a committed transaction).
        if (!(await users.get(record.id, { consistent: true }).catch(() => record))) await identity.deleteIdentity(input.username).catch(() => undefined);
        throw e;
      }
      return view;
    },
    /**
     * Changes a user's role and scope, or disables or re-enables it. Sign-in goes first, at the
     * identity provider (Cognito: sign-in blocked and refresh tokens revoked, or allowed again),
     * then the table, together with the stored answer to the Idempotency-Key. So a request that
     * failed half-way has stored nothing, and repeating it — with the same key or not — does
     * every step again (each is idempotent); refused at the table, it enables the identity again
     * if it had disabled it and the table still has the user enabled (two administrators
     * disabling the same user at once leave it disabled at both). An administrator can neither disable nor re-role itself, and the
     * last enabled administrator cannot be taken away (409 LAST_ADMIN), even by two
     * administrators acting at once: the province always keeps one.
     */
    async update(ctx: WriteContext, id: string, change: UserUpdate): Promise<User> {
      assertRole(ctx.principal, 'admin');
      // Set when this request disabled the identity: if the change is then refused, sign-in goes back as it was.
      let disabledHere: string | undefined;
      try {
        // Judged again when another change took an administrator away, or bound a user to or took
        // one from a producer this change leaves or joins, meanwhile.
        return await retryOnRace(async () => {
          const before = await users.get(id, { consistent: true });
          if (!before) throw new NotFoundError('User');
          if (change.version !== undefined && change.version !== before.version) throw new ConflictError('VERSION_CONFLICT', 'The user was changed since you read it; read it again');
          const own = id === ctx.principal.sub;
          if (own && change.disabled) throw new ForbiddenError('You cannot disable your own account');
          if (own && change.role !== undefined && change.role !== before.role) throw new ForbiddenError('You cannot change your own role');
          const after = applyUserChange(before, change);
          const issues = scopeIssues(after);
          if (issues.length) throw new ValidationError(issues, 'The role and scope do not fit together');
          after.communes?.forEach((c, i) => assertKnownCommune(c, `communes.${i}`));
          const binding = await bindingOps(before.producerId, after.producerId);
          // Two administrators re-roling or disabling each other at once must not leave the province without one.
          const takesAdminAway = before.role === 'admin' && !before.disabled && (after.role !== 'admin' || after.disabled);
          const adminRevision = takesAdminAway ? await users.adminSetRevision() : undefined;
          if (takesAdminAway && !(await users.enabledAdmins()).some((u) => u.id !== id)) throw new ConflictError('LAST_ADMIN', 'The province must keep an enabled administrator: make another user one first');
          if (change.disabled !== undefined) await (change.disabled ? identity.disableIdentity(before.username) : identity.enableIdentity(before.username));
          if (change.disabled && !before.disabled) disabledHere = before.username;
          if (sameUser(before, after)) return userView(before);
          const now = new Date().toISOString();
          await commit(
            ctx,
            [
              // Disabling ends its sessions with the change (its tokens stay refused after it is enabled
              // again: that needs a new sign-in); a disable that is refused ends none.
              users.updateScopeOp(before, after, after.disabled && !before.disabled ? sessionsEndAt() : undefined),
              ...binding,
              ...(adminRevision === undefined ? [] : [users.adminSetOp(adminRevision)]),
              audit.recordOp({ entityType: 'user', entityId: id, action: 'update', actor: ctx.principal, at: now, before: userView(before), after: userView(after) }),
            ],
            { status: 200, body: userView(after) },
          );
          disabledHere = undefined;
          onChanged?.(id);
          return userView(after);
        });
      } catch (e) {
        // Sign-in goes back as the table has it: another administrator may have disabled the user
        // meanwhile (that is why this write lost). Unread, it stays disabled, the safer side.
        if (disabledHere && (await users.get(id, { consistent: true }).catch(() => undefined))?.disabled === false) await identity.enableIdentity(disabledHere).catch(() => undefined);
        throw e;
      }
    },
    /**
     * An administrator resets another user's sign-in (forgotten password, lost phone): the
     * identity provider takes the new password first (Cognito: temporary, with the authenticator
     * app forgotten if asked, refresh tokens revoked), then every session the user had ends and
     * the reset is recorded with who did it; locally the password's hash is stored with it. The
     * password itself is never stored or recorded in clear. Repeating a request that failed
     * half-way does every step again (each is idempotent).
     */
    async resetSignIn(ctx: WriteContext, id: string, reset: UserSignInReset): Promise<User> {
      assertRole(ctx.principal, 'admin');
      if (id === ctx.principal.sub) throw new ForbiddenError('You cannot reset your own sign-in here');
      const user = await users.get(id, { consistent: true });
      if (!user) throw new NotFoundError('User');
      const { passwordHash } = await identity.resetSignIn(user.username, reset.password, { authenticator: reset.authenticator });
      await users.endSessions(id, sessionsEndAt());
      const view = userView(user);
      await commit(
        ctx,
        [...(passwordHash ? [users.setPasswordOp(id, passwordHash)] : []), audit.recordOp({ entityType: 'user', entityId: id, action: 'reset-sign-in', actor: ctx.principal, at: new Date().toISOString(), before: null, after: { authenticator: reset.authenticator } })],
        { status: 200, body: view },
      );
      onChanged?.(id);
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
