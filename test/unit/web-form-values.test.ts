import { describe, expect, it } from 'vitest';
import { changedKeys, mergeChanges } from '../../web/src/core/form-values.ts';

const values = (o: Record<string, string>) => new Map(Object.entries(o));

describe('a form whose record someone else saved meanwhile', () => {
  const base = values({ name: 'Hộ An', representative: 'Lê An', address: 'Thôn 1', phone: '0912345678', 'certifications=VietGAP': '' });

  it('keeps what the user changed where the other left it alone, and takes the other’s change where the user did not touch it', () => {
    const mine = values({ ...Object.fromEntries(base), representative: 'Lê Bình' });
    const theirs = values({ ...Object.fromEntries(base), address: 'Thôn 2' });
    expect(mergeChanges(base, mine, theirs)).toEqual({ keep: new Map([['representative', 'Lê Bình']]), clashes: [] });
  });

  it('keeps the user’s value where both changed the same field differently, and names it as a clash', () => {
    const mine = values({ ...Object.fromEntries(base), representative: 'Lê Bình', 'certifications=VietGAP': 'on' });
    const theirs = values({ ...Object.fromEntries(base), representative: 'Lê Cường', 'certifications=VietGAP': 'on' });
    expect(mergeChanges(base, mine, theirs)).toEqual({ keep: new Map([['representative', 'Lê Bình']]), clashes: ['representative'] });
  });

  it('drops a field the fresh form no longer has', () => {
    const mine = values({ ...Object.fromEntries(base), citizenIdRemove: 'on' });
    expect(mergeChanges(values({ ...Object.fromEntries(base), citizenIdRemove: '' }), mine, base)).toEqual({ keep: new Map(), clashes: [] });
  });

  it('tells what the user changed since the form was drawn', () => {
    expect(changedKeys(base, values({ ...Object.fromEntries(base), phone: '0987654321' }))).toEqual(['phone']);
    expect(changedKeys(base, base)).toEqual([]);
  });
});
