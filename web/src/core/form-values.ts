/**
 * What a form holds, as plain values by key (see ui/form-state.ts for how they are read from the
 * page): enough to tell what the user changed, and what to do with it when the record the form
 * was drawn from has changed meanwhile.
 */
export type FormValues = ReadonlyMap<string, string>;

/** The keys whose value differs between `a` and `b` (a key only one of them has counts as differing). */
export function changedKeys(a: FormValues, b: FormValues): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
}

/**
 * A three-way merge of a form: `base`, what it held when drawn; `mine`, what the user made of it;
 * `theirs`, the same form drawn from the record as someone else has since saved it. Every change
 * of the user's is kept (`keep`: key → the user's value) — the user typed it and sees it on
 * screen; where the other saved another value as well, it is a `clash` too, so the form can say
 * what the other saved. Whatever the user left alone takes the other's value (it is `theirs`
 * already). Keys the fresh form no longer has are dropped.
 */
export function mergeChanges(base: FormValues, mine: FormValues, theirs: FormValues): { keep: Map<string, string>; clashes: string[] } {
  const keep = new Map<string, string>();
  const clashes: string[] = [];
  for (const [key, value] of mine) {
    const was = base.get(key);
    if (value === was || !theirs.has(key)) continue;
    const other = theirs.get(key);
    if (other === value) continue;
    keep.set(key, value);
    if (other !== was) clashes.push(key);
  }
  return { keep, clashes };
}
