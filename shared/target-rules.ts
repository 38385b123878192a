/**
 * What makes targets the same or different, without zod, so the web app's targets screen
 * counts and checks a new set exactly as PUT /targets will.
 */
export type TargetLike = { indicator: string; period: string; scope: string; marketplace: string; unit: string; value: number };

/** What makes a target one target: a second with the same indicator, marketplace, scope and period would replace it. */
export const targetKey = (t: Pick<TargetLike, 'indicator' | 'marketplace' | 'scope' | 'period'>) => `${t.indicator}#${t.marketplace}#${t.scope}#${t.period}`;

/** Replacing `current` by `next`: the keys of the targets removed, and the targets to write (new, or with another unit or value). */
export function targetChanges<T extends TargetLike>(current: readonly TargetLike[], next: readonly T[]): { removed: string[]; written: T[] } {
  const before = new Map(current.map((t) => [targetKey(t), t]));
  const keep = new Set(next.map(targetKey));
  const removed = [...before.keys()].filter((k) => !keep.has(k));
  const written = next.filter((t) => {
    const old = before.get(targetKey(t));
    return !old || old.unit !== t.unit || old.value !== t.value;
  });
  return { removed, written };
}
