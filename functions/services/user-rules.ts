import type { User, UserUpdate } from '#shared/schemas/user.ts';
import type { UserRecord } from '#functions/repositories/user-repository.ts';

// What a user record looks like to the API and after a change: pure rules the user service and
// the producer service (whose merge carries a producer's cooperative users) both apply.

export function userView(u: UserRecord): User {
  const { passwordHash: _h, tokensValidAfter: _t, ...view } = u;
  return view;
}

/**
 * The user after an administrator's change: the scope fields sent replace the old ones; a new
 * role keeps only the scope fields sent with it. One version on from `before`.
 */
export function applyUserChange(before: UserRecord, change: UserUpdate): UserRecord {
  const role = change.role ?? before.role;
  const roleChanged = role !== before.role;
  const communes = change.communes ? [...new Set(change.communes)].sort() : roleChanged ? undefined : before.communes;
  const producerId = change.producerId ?? (roleChanged ? undefined : before.producerId);
  const { communes: _c, producerId: _p, ...rest } = before;
  return { ...rest, role, disabled: change.disabled ?? before.disabled, ...(communes ? { communes } : {}), ...(producerId ? { producerId } : {}), version: before.version + 1 };
}
