import type { FieldRule } from './errors.ts';

/** The roles (DESIGN §3); without zod, so the web app can check a scope before sending it. */
export const roles = ['admin', 'department', 'officer', 'cooperative'] as const;
type Role = (typeof roles)[number];
type Scope = { role: Role; communes?: readonly string[] | undefined; producerId?: string | undefined };

/**
 * What a role's scope must hold: an officer its communes, a cooperative user its producer, and
 * nobody a scope field of another role. One rule set for creating a user and for changing one.
 */
export function scopeIssues(u: Scope): { path: 'communes' | 'producerId'; message: string; rule: FieldRule }[] {
  const issues: ReturnType<typeof scopeIssues> = [];
  if (u.role === 'officer' && !u.communes?.length) issues.push({ path: 'communes', message: 'an officer needs at least one commune', rule: 'officer_needs_communes' });
  if (u.role !== 'officer' && u.communes) issues.push({ path: 'communes', message: 'only officers have communes', rule: 'communes_only_for_officers' });
  if (u.role === 'cooperative' && !u.producerId) issues.push({ path: 'producerId', message: 'a cooperative user needs its producer', rule: 'cooperative_needs_producer' });
  if (u.role !== 'cooperative' && u.producerId) issues.push({ path: 'producerId', message: 'only cooperative users have a producer', rule: 'producer_only_for_cooperatives' });
  return issues;
}
