import { describe, expect, it } from 'vitest';
import { daysUntil, formatDate, formatMoney, formatPercent, parseAmount, parseDate, parseShare, readDate } from '../../web/src/core/format.ts';
import { fitLongEdge } from '../../web/src/core/image.ts';
import { isCitizenId, isPhone, isTaxCode, normalisePhone } from '../../web/src/core/validate.ts';

describe('web formats', () => {
  it('writes money the Vietnamese way: 1.250.000 ₫', () => {
    expect(formatMoney(1_250_000)).toBe('1.250.000\u00a0₫');
    expect(formatMoney(0)).toBe('0\u00a0₫');
    expect(formatMoney(undefined)).toBe('—');
  });

  it('writes calendar dates as dd/mm/yyyy without shifting them by time zone', () => {
    expect(formatDate('2025-07-01')).toBe('01/07/2025');
    expect(formatDate(undefined)).toBe('—');
  });

  it('reads typed dates as dd/mm/yyyy and refuses days that do not exist', () => {
    expect(parseDate('1/7/2025')).toBe('2025-07-01');
    expect(parseDate('29.02.2024')).toBe('2024-02-29');
    expect(parseDate('2025-07-01')).toBe('2025-07-01');
    expect(parseDate('29/02/2025')).toBeNull();
    expect(parseDate('31/04/2025')).toBeNull();
    expect(parseDate('07/2025')).toBeNull();
  });

  it('tells a day the calendar does not have from a date not written dd/mm/yyyy', () => {
    expect(readDate('31/11/2026')).toEqual({ problem: 'no_such_day' });
    expect(readDate('29/02/2025')).toEqual({ problem: 'no_such_day' });
    expect(readDate('0/5/2025')).toEqual({ problem: 'no_such_day' });
    expect(readDate('2025-13-01')).toEqual({ problem: 'no_such_day' });
    expect(readDate('31/11')).toEqual({ problem: 'format' });
    expect(readDate('hôm qua')).toEqual({ problem: 'format' });
    expect(readDate('30/11/2026')).toEqual({ date: '2026-11-30' });
  });

  it('reads amounts typed with thousand separators', () => {
    expect(parseAmount('1.250.000')).toBe(1_250_000);
    expect(parseAmount('185 000 đ')).toBe(185_000);
    expect(parseAmount('')).toBeNull();
    expect(parseAmount('12abc')).toBeNaN();
    // A decimal part is refused, not read as a number ten or a hundred times larger.
    expect(parseAmount('0,5')).toBeNaN();
    expect(parseAmount('1.250.000,00')).toBeNaN();
    expect(parseAmount('1,5 kg')).toBeNaN();
    expect(parseAmount('1.250')).toBe(1250);
    expect(parseAmount('25.000 đ')).toBe(25_000);
  });

  it('counts days to a date and shows shares rounded to one decimal, 100% only for the whole', () => {
    expect(daysUntil('2026-01-31', '2026-01-01')).toBe(30);
    expect(daysUntil('2025-12-31', '2026-01-01')).toBe(-1);
    expect(formatPercent(1, 3)).toBe('33,3%');
    expect(formatPercent(2, 3)).toBe('66,7%');
    expect(formatPercent(5, 12)).toBe('41,7%');
    expect(formatPercent(833, 2000)).toBe('41,7%');
    expect(formatPercent(1, 2)).toBe('50%');
    expect(formatPercent(996, 1000)).toBe('99,6%');
    expect(formatPercent(9996, 10000)).toBe('99,9%');
    expect(formatPercent(9999, 10000)).toBe('99,9%');
    expect(formatPercent(1000, 1000)).toBe('100%');
    expect(formatPercent(57.3, 100)).toBe('57,3%');
    expect(formatPercent(57.3, 57.3)).toBe('100%');
    expect(formatPercent(120, 100)).toBe('120%');
    expect(formatPercent(1, 0)).toBe('—');
  });

  it('reads target values as Vietnamese writes them: counts with thousands dots, shares with a decimal comma', () => {
    expect(parseAmount('5.000')).toBe(5000);
    expect(parseAmount('66.816')).toBe(66816);
    expect(parseAmount('1.250.000')).toBe(1250000);
    expect(parseAmount('5,5')).toBeNaN();
    expect(parseShare('85,5')).toBe(85.5);
    expect(parseShare('85.5 %')).toBe(85.5);
    expect(parseShare('100')).toBe(100);
    expect(parseShare('85,55')).toBeNaN();
    expect(parseShare('')).toBeNull();
  });
});

describe('web field checks (mirroring the API schemas)', () => {
  it('accepts Vietnamese phone numbers in the ways people write them', () => {
    expect(normalisePhone('+84 912 345 678')).toBe('0912345678');
    expect(isPhone('0912.345.678')).toBe(true);
    expect(isPhone('912345678')).toBe(true);
    expect(isPhone('0237 385 1234')).toBe(true);
    expect(isPhone('12345')).toBe(false);
  });

  it('checks tax codes and citizen IDs by their lengths', () => {
    expect(isTaxCode('2801234567')).toBe(true);
    expect(isTaxCode('2801234567-001')).toBe(true);
    expect(isTaxCode('28012345')).toBe(false);
    expect(isCitizenId('038012345678')).toBe(true);
    expect(isCitizenId('123456789')).toBe(true);
    expect(isCitizenId('1234567890')).toBe(false);
  });
});

describe('photo downscaling', () => {
  it('fits the long edge to 2000 px, keeps the aspect ratio and never enlarges', () => {
    expect(fitLongEdge(4000, 3000)).toEqual({ width: 2000, height: 1500 });
    expect(fitLongEdge(3024, 4032)).toEqual({ width: 1500, height: 2000 });
    expect(fitLongEdge(1200, 800)).toEqual({ width: 1200, height: 800 });
  });
});

describe('months in Vietnam time', () => {
  it('turns the month at midnight in Vietnam, seven hours before UTC does', async () => {
    const { vietnamMonth } = await import('#shared/vietnam-time.ts');
    expect(vietnamMonth(new Date('2026-11-30T16:59:00Z'))).toBe('2026-11');
    expect(vietnamMonth(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12');
    expect(vietnamMonth(new Date('2026-12-31T17:30:00Z'), 1)).toBe('2026-12');
    expect(vietnamMonth(new Date('2027-01-15T00:00:00Z'), 12)).toBe('2026-01');
  });

  it('turns the day at midnight in Vietnam too (export file names carry it)', async () => {
    const { vietnamDate } = await import('#shared/vietnam-time.ts');
    expect(vietnamDate(new Date('2026-12-07T16:59:59Z'))).toBe('2026-12-07');
    expect(vietnamDate(new Date('2026-12-07T17:00:00Z'))).toBe('2026-12-08');
  });

  it('counts days and finds where a month ends on a Vietnam clock (certificates marked before a month-end snapshot)', async () => {
    const { vietnamDate, vietnamMonthEnd } = await import('#shared/vietnam-time.ts');
    expect(vietnamDate(new Date('2026-12-07T16:59:59Z'), -1)).toBe('2026-12-06');
    expect(vietnamDate(new Date('2026-12-31T17:00:00Z'), 1)).toBe('2027-01-02');
    // November ends at 23:59:59.999 on the 30th in Hà Nội: 16:59:59.999 UTC; December crosses the year.
    expect(vietnamMonthEnd('2026-11').toISOString()).toBe('2026-11-30T16:59:59.999Z');
    expect(vietnamMonthEnd('2026-12').toISOString()).toBe('2026-12-31T16:59:59.999Z');
    expect(vietnamMonthEnd('2028-02').toISOString()).toBe('2028-02-29T16:59:59.999Z');
    expect(vietnamDate(vietnamMonthEnd('2026-11'))).toBe('2026-11-30');
  });
});
