/** How a target is said on screen (the dashboard's list and the administrator's targets screen). */
import { indicatorWords } from '#shared/indicator-words.ts';
import type { Target } from '#shared/schemas/coverage.ts';
import { me } from '../core/app-state.ts';
import { formatNumber, formatPercent } from '../core/format.ts';
import { communeByCode } from '../core/reference.ts';
import { lang, t } from '../i18n/i18n.ts';

/** A target as the coverage report gives it: where it stands now and the share reached. */
export type TargetProgress = Target & { current: number | null; achieved: number | null };

/** Words for an indicator, a metric or a ratio of two, as the coverage export words it too ("Tỉ lệ SP OCOP đang bán / SP OCOP"). */
export const indicatorLabel = (indicator: string): string => indicatorWords(indicator, lang());

/** Where a target applies: the province (for an officer, their communes' part of it) or one commune. */
export function targetPlace(scope: string): string {
  const officer = me()?.role === 'officer';
  return scope === 'province' ? (officer ? t.dashboard.provinceYourCommunes : t.scope.province) : (communeByCode(scope)?.fullName ?? scope);
}

/** The marketplace a target counts on: all of them, or one by name. */
export function targetMarket(id: string, markets: readonly { id: string; name: string }[]): string {
  return id === 'all' ? t.dashboard.anyMarketplace : (markets.find((m) => m.id === id)?.name ?? id);
}

/** A target's value or where it stands, in its unit: `80%` or `1.250`. */
export function targetAmount(v: number | null, unit: Target['unit']): string {
  return v === null ? '—' : unit === 'percent' ? formatPercent(v, 100) : formatNumber(v);
}
