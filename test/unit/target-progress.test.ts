import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '#shared/coverage-rules.ts';
import { indicatorValue } from '#functions/services/coverage-service.ts';

describe('where a target’s indicator stands', () => {
  it('is a count, or a ratio in percent with one decimal', () => {
    const m = { ...emptyMetrics(), productsOcop3: 2, productsOcop4: 1, ocopLive: 1, producers: 7 };
    expect(indicatorValue(m, 'producers')).toBe(7);
    expect(indicatorValue(m, 'ocopLive/productsOcop')).toBe(33.3);
  });

  it('is rounded to one decimal, as the screens and exports show it: 100 % only when the whole is reached', () => {
    const share = (live: number, ocop: number) => indicatorValue({ ...emptyMetrics(), productsOcop4: ocop, ocopLive: live }, 'ocopLive/productsOcop');
    expect(share(2, 3)).toBe(66.7);
    expect(share(5, 12)).toBe(41.7);
    expect(share(9996, 10000)).toBe(99.9);
    expect(share(573, 1000)).toBe(57.3);
    expect(share(10000, 10000)).toBe(100);
  });

  it('is nothing, not 0 %, for a share of nothing, and nothing for a name that is no metric', () => {
    expect(indicatorValue(emptyMetrics(), 'ocopLive/productsOcop')).toBeUndefined();
    expect(indicatorValue(emptyMetrics(), 'producers')).toBe(0);
    expect(indicatorValue(emptyMetrics(), 'producerLive')).toBeUndefined();
  });
});
