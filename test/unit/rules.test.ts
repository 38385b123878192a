import { describe, expect, it } from 'vitest';
import { PhoneSchema, TaxCodeSchema, CitizenIdSchema } from '#shared/schemas/common.ts';
import { certificateExpiredOn, certificateExpiry } from '#shared/schemas/product.ts';
import { contributionDelta, productContribution } from '#shared/coverage-rules.ts';
import { createKeyring } from '#functions/core/keyring.ts';
import { createCursorCodec } from '#functions/repositories/cursor.ts';
import { canSee, maskPhone, type Principal } from '#functions/services/principal.ts';
import { newId } from '#functions/core/ids.ts';
import { InvalidCursorError } from '#functions/core/errors.ts';
import { hashPassword, verifyPassword } from '#functions/core/passwords.ts';

describe('Vietnamese phone numbers', () => {
  it.each([
    ['0912345678', '0912345678'],
    ['0912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['+84912345678', '0912345678'],
    ['84 912 345 678', '0912345678'],
    ['912345678', '0912345678'],
    ['02373851234', '02373851234'],
    ['2373851234', '02373851234'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(PhoneSchema.parse(raw)).toBe(expected);
  });

  it.each(['12345', '0112345678', '091234567', '09123456789', 'abc'])('refuses %s', (raw) => {
    expect(PhoneSchema.safeParse(raw).success).toBe(false);
  });
});

describe('tax codes and citizen IDs', () => {
  it('accepts 10 digits and 13 digits with or without the branch dash', () => {
    expect(TaxCodeSchema.parse('2801234567')).toBe('2801234567');
    expect(TaxCodeSchema.parse('2801234567001')).toBe('2801234567-001');
    expect(TaxCodeSchema.parse('2801234567-001')).toBe('2801234567-001');
  });
  it('refuses other lengths and letters', () => {
    for (const v of ['280123456', '28012345670', '280123456A']) expect(TaxCodeSchema.safeParse(v).success).toBe(false);
  });
  it('accepts a 12-digit CCCD or a 9-digit CMND only', () => {
    expect(CitizenIdSchema.safeParse('038085001234').success).toBe(true);
    expect(CitizenIdSchema.safeParse('172345678').success).toBe(true);
    expect(CitizenIdSchema.safeParse('03808500123').success).toBe(false);
  });
});

describe('OCOP certificate expiry', () => {
  it('is 36 months after the decision', () => {
    expect(certificateExpiry('2024-05-20')).toBe('2027-05-20');
  });
  it('clamps to the last day of a shorter month', () => {
    expect(certificateExpiry('2024-02-29')).toBe('2027-02-28');
  });
  it('crosses a year end', () => {
    expect(certificateExpiry('2023-12-31')).toBe('2026-12-31');
  });
  it('is valid through its expiry date and lapsed from the day after; an unrated product has none', () => {
    const rated = { ocopStars: 4, certificateExpiry: '2026-12-31' };
    expect(certificateExpiredOn(rated, '2026-12-31')).toBe(false);
    expect(certificateExpiredOn(rated, '2027-01-01')).toBe(true);
    expect(certificateExpiredOn({ ocopStars: 0, certificateExpiry: '2020-01-01' }, '2027-01-01')).toBeUndefined();
  });
  it('stops a lapsed product counting as OCOP, on the marketplace it is live on and on all, while it still counts as a product live there', () => {
    const state = { communeCode: '15772', ocopStars: 4, readyMarketplaces: ['voso'], liveMarketplaces: ['voso'] };
    const current = productContribution({ ...state, certificateExpired: false });
    const lapsed = productContribution({ ...state, certificateExpired: true });
    for (const key of ['all|15772', 'voso|15772']) {
      expect(current.get(key)).toMatchObject({ products: 1, productsOcop4: 1, productsLive: 1, ocopLive: 1 });
      expect(lapsed.get(key)).toEqual({ products: 1, productsReady: 1, productsLive: 1 });
    }
    expect(contributionDelta([[current, lapsed]]).get('voso|15772')).toEqual({ productsOcop4: -1, ocopLive: -1 });
  });
});

describe('signed cursors', () => {
  const codec = createCursorCodec(createKeyring('test-secret'));
  const state = { p: 1, k: { PK: 'a', SK: 'b' } };

  it('round-trip for the same caller and query', () => {
    const token = codec.encode(state, 'producers|u1|q')!;
    expect(codec.decode(token, 'producers|u1|q')).toEqual(state);
  });
  it('are refused for another caller or query', () => {
    const token = codec.encode(state, 'producers|u1|q')!;
    expect(() => codec.decode(token, 'producers|u2|q')).toThrow(InvalidCursorError);
    expect(() => codec.decode(token, 'producers|u1|other')).toThrow(InvalidCursorError);
  });
  it('are refused when signed with another secret or edited', () => {
    const foreign = createCursorCodec(createKeyring('other-secret')).encode(state, 'b')!;
    expect(() => codec.decode(foreign, 'b')).toThrow(InvalidCursorError);
    const [, sig] = codec.encode(state, 'b')!.split('.');
    const edited = Buffer.from(JSON.stringify({ b: 'b', s: { p: 0 } })).toString('base64url');
    expect(() => codec.decode(`${edited}.${sig}`, 'b')).toThrow(InvalidCursorError);
  });
  it('say there is no next page with null', () => {
    expect(codec.encode(undefined, 'b')).toBeNull();
  });
});

describe('keyed citizen-ID hash', () => {
  it('is stable for one secret and differs across secrets', () => {
    const a = createKeyring('s1');
    expect(a.hashCitizenId('038085001234')).toBe(a.hashCitizenId('038085001234'));
    expect(createKeyring('s2').hashCitizenId('038085001234')).not.toBe(a.hashCitizenId('038085001234'));
  });
});

describe('scope', () => {
  const at = { communeCode: '15772', producerId: 'P1' };
  const p = (role: Principal['role'], extra: Partial<Principal> = {}): Principal => ({ sub: 's', username: 'u', role, communes: [], ...extra });
  it('lets admin and department see the whole province', () => {
    expect(canSee(p('admin'), at) && canSee(p('department'), at)).toBe(true);
  });
  it('limits an officer to their communes and a cooperative to its producer', () => {
    expect(canSee(p('officer', { communes: ['15772'] }), at)).toBe(true);
    expect(canSee(p('officer', { communes: ['14758'] }), at)).toBe(false);
    expect(canSee(p('cooperative', { producerId: 'P1' }), at)).toBe(true);
    expect(canSee(p('cooperative', { producerId: 'P2' }), at)).toBe(false);
  });
  it('masks phone numbers keeping the first and last three digits', () => {
    expect(maskPhone('0912345678')).toBe('091****678');
    expect(maskPhone('02373851234')).toBe('023*****234');
  });
});

describe('ids and passwords', () => {
  it('issues time-ordered, unique ids', () => {
    const a = newId(1_700_000_000_000);
    const b = newId(1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newId())).size).toBe(1000);
  });
  it('verifies a scrypt hash only with the right password', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
  });
});
