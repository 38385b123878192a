/**
 * Applies a PATCH body to a record: `undefined` leaves a field alone, `null` clears it,
 * anything else replaces it.
 */
export function applyPatch<T extends object>(record: T, changes: Record<string, unknown>): T {
  const next = { ...record } as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next as T;
}
