import { createHash } from 'node:crypto';
import type { Role } from '#shared/schemas/user.ts';
import { ForbiddenError, NotFoundError, OutOfScopeError } from '#functions/core/errors.ts';

/** The signed-in caller, with the scope kept in the table (the token only proves who it is). */
export type Principal = {
  sub: string;
  username: string;
  role: Role;
  /** Officer: the communes they serve. */
  communes: string[];
  /** Cooperative: the one producer it is. */
  producerId?: string;
};

/** Where a record sits, for scope checks. */
export type Placement = { communeCode: string; producerId: string };

/** Whether the caller may see a record at this placement. */
export function canSee(p: Principal, at: Placement): boolean {
  switch (p.role) {
    case 'admin':
    case 'department':
      return true;
    case 'officer':
      return p.communes.includes(at.communeCode);
    case 'cooperative':
      return p.producerId === at.producerId;
  }
}

/** Throws 404 for a record the caller may not see: out of scope looks the same as absent. */
export function assertVisible(p: Principal, at: Placement, what: string): void {
  if (!canSee(p, at)) throw new NotFoundError(what);
}

/** Department users read and report; they never write records. */
export function assertMayWriteRecords(p: Principal): void {
  if (p.role === 'department') throw new ForbiddenError('The department role is read-only');
}

/** Creating or moving a record into a commune needs that commune in scope. */
export function assertCommuneInScope(p: Principal, communeCode: string): void {
  if (p.role === 'officer' && !p.communes.includes(communeCode)) throw new OutOfScopeError(`Commune ${communeCode} is not one of your communes`);
}

export function assertRole(p: Principal, ...roles: Role[]): void {
  if (!roles.includes(p.role)) throw new ForbiddenError();
}

/** Mask for phone numbers shown to roles that do not call producers: `091****678`. */
export function maskPhone(phone: string): string {
  return phone.length <= 6 ? '****' : `${phone.slice(0, 3)}${'*'.repeat(phone.length - 6)}${phone.slice(-3)}`;
}

/** Roles that work with producers directly and need their phone number in clear. */
export function seesPersonalData(p: Principal): boolean {
  return p.role !== 'department';
}

/**
 * A short digest of what the caller's lists read: their role and communes. A list cursor is bound
 * to it as well as to the caller, because an officer's cursor counts its place among their
 * communes: after their communes change, an old cursor is refused (400) rather than resumed at
 * the wrong commune.
 */
export function scopeKey(p: Principal): string {
  return createHash('sha256').update(`${p.role}|${[...p.communes].sort().join(',')}|${p.producerId ?? ''}`).digest('base64url').slice(0, 16);
}

/** The product itself as the author of what the calendar changes (a certificate lapsing), in the audit trail. */
export const SYSTEM_ACTOR: Principal = { sub: 'system', username: 'system', role: 'admin', communes: [] };
