import { loadSession } from './session.ts';
import type { Me, Role } from './types.ts';

/** The signed-in user, or null. */
export function me(): Me | null {
  return loadSession()?.user ?? null;
}

export function role(): Role | null {
  return me()?.role ?? null;
}

/** Who may write what (the API enforces it; the screen only hides what would be refused). */
export const can = {
  writeProducers: () => role() === 'admin' || role() === 'officer',
  writeProducts: () => role() === 'admin' || role() === 'officer' || role() === 'cooperative',
  writeOnboarding: () => role() === 'admin' || role() === 'officer' || role() === 'cooperative',
  /** Coverage (dashboard, reports) is for the province's side; a cooperative sees its own records. */
  viewCoverage: () => role() === 'admin' || role() === 'department' || role() === 'officer',
  /** Bulk import from a spreadsheet (an officer sees only their own imports). */
  importLists: () => role() === 'admin' || role() === 'officer',
  /** Users and their scopes, targets (DESIGN §2: the administrator's jobs). */
  administer: () => role() === 'admin',
};

/** Whether the user's scope is the whole province (admin, department): some 70.000 producers, never one list to pick from. */
export function seesWholeProvince(): boolean {
  return role() === 'admin' || role() === 'department';
}

/** Communes the user may create records in; null means any (admin). */
export function scopeCommunes(): string[] | null {
  const u = me();
  if (!u) return [];
  if (u.role === 'officer') return u.communes ?? [];
  if (u.role === 'admin') return null;
  return [];
}
