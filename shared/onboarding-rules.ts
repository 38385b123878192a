import type { Marketplace, PhotoRules, RequiredField } from './marketplaces.ts';

/** Seller account per producer × marketplace. */
export const accountStatuses = ['none', 'registered', 'verified', 'active'] as const;
export type AccountStatus = (typeof accountStatuses)[number];

/** Listing per product × marketplace. */
export const listingStatuses = ['draft', 'submitted', 'live', 'paused', 'delisted', 'rejected'] as const;
export type ListingStatus = (typeof listingStatuses)[number];

/** Accounts move one step forward at a time; any account can be closed (back to none). */
const accountMoves: Record<AccountStatus, AccountStatus[]> = {
  none: ['registered'],
  registered: ['verified', 'none'],
  verified: ['active', 'none'],
  active: ['none'],
};

/** The listing state machine of DESIGN §3; `null` is "no listing yet". */
const listingMoves: Record<ListingStatus | 'new', ListingStatus[]> = {
  new: ['draft'],
  draft: ['submitted'],
  submitted: ['live', 'rejected'],
  rejected: ['draft'],
  live: ['paused', 'delisted'],
  paused: ['live', 'delisted'],
  delisted: ['draft'],
};

export function allowedAccountMoves(from: AccountStatus): AccountStatus[] {
  return accountMoves[from];
}

/** Whether an account may go from `from` to `to`; staying put (to change the shop URL) is allowed. */
export function isAccountMoveAllowed(from: AccountStatus, to: AccountStatus): boolean {
  return from === to || accountMoves[from].includes(to);
}

export function allowedListingMoves(from: ListingStatus | null): ListingStatus[] {
  return listingMoves[from ?? 'new'];
}

export function isListingMoveAllowed(from: ListingStatus | null, to: ListingStatus): boolean {
  return allowedListingMoves(from).includes(to);
}

/**
 * Listings in these states stand on the marketplace under the producer's seller account (a paused
 * one goes live again without a new listing), so the account cannot be closed while one does.
 */
export const listingStatusesNeedingAccount: readonly ListingStatus[] = ['live', 'paused'];

/** An account at least this far along lets a listing go live. */
export function accountAllowsLiveListing(status: AccountStatus | undefined): boolean {
  return status === 'registered' || status === 'verified' || status === 'active';
}

export type ReadinessKey = RequiredField | 'photos.count' | 'photos.rules';

export const readinessMessages: Record<ReadinessKey, { vi: string; en: string }> = {
  'product.name': { vi: 'Thiếu tên sản phẩm', en: 'Product name is missing' },
  'product.description': { vi: 'Thiếu mô tả sản phẩm', en: 'Product description is missing' },
  'product.priceVnd': { vi: 'Thiếu giá bán', en: 'Price is missing' },
  'product.unit': { vi: 'Thiếu đơn vị tính (quy cách đóng gói)', en: 'Unit (packaging) is missing' },
  'product.weightGrams': { vi: 'Thiếu khối lượng để tính phí vận chuyển', en: 'Weight for shipping is missing' },
  'product.shelfLifeDays': { vi: 'Thiếu hạn sử dụng', en: 'Shelf life is missing' },
  'producer.phone': { vi: 'Chủ thể chưa có số điện thoại', en: 'The producer has no phone number' },
  'producer.taxCode': { vi: 'Chủ thể chưa có mã số thuế', en: 'The producer has no tax code' },
  'photos.count': { vi: 'Chưa đủ ảnh sản phẩm', en: 'Not enough product photos' },
  'photos.rules': { vi: 'Ảnh chưa đạt yêu cầu của sàn (kích thước, dung lượng, tỉ lệ)', en: 'Photos do not meet the marketplace rules (size, bytes, aspect)' },
};

export type ReadinessInput = {
  product: Partial<Record<'name' | 'description' | 'priceVnd' | 'unit' | 'weightGrams' | 'shelfLifeDays', unknown>>;
  producer: Partial<Record<'phone' | 'taxCode', unknown>>;
  /** Photos that were processed; `meetsRules(m)` says whether they satisfy marketplace m's photo rules. */
  photos: { readyCount: number; meetsRules?: (m: Marketplace) => boolean };
};

export type MarketplaceReadiness = {
  marketplace: string;
  percent: number;
  met: number;
  required: number;
  missing: { key: ReadinessKey; message: { vi: string; en: string } }[];
};

function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/**
 * Whether a producer's change can move its products' readiness: marketplaces ask only that its
 * phone and tax code be there, so a number replaced by another changes nothing.
 */
export function producerReadinessChanged(before: ReadinessInput['producer'], after: ReadinessInput['producer']): boolean {
  return present(before.phone) !== present(after.phone) || present(before.taxCode) !== present(after.taxCode);
}

/** The marketplaces where a product is 100% ready — what coverage counts as "ready". */
export function readyMarketplacesOf(registry: readonly Marketplace[], input: ReadinessInput): string[] {
  return registry.filter((m) => readinessFor(m, input).percent === 100).map((m) => m.id);
}

/**
 * Readiness of a product for one marketplace (Akeneo-style completeness):
 * `floor(100 × met / required)` over the marketplace's required fields and its photo rules.
 * Photo count is always required; the photo rules count once photos exist.
 */
export function readinessFor(m: Marketplace, input: ReadinessInput): MarketplaceReadiness {
  const checks: [ReadinessKey, boolean][] = m.requiredFields.map((field) => {
    const [owner, name] = field.split('.') as ['product' | 'producer', string];
    const source = (owner === 'product' ? input.product : input.producer) as Record<string, unknown>;
    return [field, present(source[name])];
  });
  checks.push(['photos.count', input.photos.readyCount >= m.photos.minCount]);
  if (input.photos.readyCount > 0) checks.push(['photos.rules', input.photos.meetsRules?.(m) ?? true]);
  const missing = checks.filter(([, ok]) => !ok).map(([key]) => ({ key, message: readinessMessages[key] }));
  const met = checks.length - missing.length;
  return { marketplace: m.id, percent: Math.floor((100 * met) / checks.length), met, required: checks.length, missing };
}

/** What a variant must satisfy for a marketplace; an empty list means it does. */
export type RuleFailure = { rule: 'minPx' | 'maxPx' | 'aspect' | 'maxBytes' | 'format'; message: string };

/**
 * Whether a variant meets one marketplace's photo rules: each side within minPx–maxPx,
 * square when asked, at most maxBytes, an accepted format. Pure; readiness uses it too.
 */
export function checkVariantAgainstRules(variant: { width: number; height: number; bytes: number; format: string }, rules: PhotoRules): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const shorter = Math.min(variant.width, variant.height);
  const longer = Math.max(variant.width, variant.height);
  if (shorter < rules.minPx) failures.push({ rule: 'minPx', message: `sides must be at least ${rules.minPx} px (is ${variant.width}×${variant.height})` });
  if (longer > rules.maxPx) failures.push({ rule: 'maxPx', message: `sides must be at most ${rules.maxPx} px (is ${variant.width}×${variant.height})` });
  if (rules.aspect === 'square' && variant.width !== variant.height) failures.push({ rule: 'aspect', message: `must be square (is ${variant.width}×${variant.height})` });
  if (variant.bytes > rules.maxBytes) failures.push({ rule: 'maxBytes', message: `must be at most ${rules.maxBytes} bytes (is ${variant.bytes})` });
  if (!(rules.formats as string[]).includes(variant.format)) failures.push({ rule: 'format', message: `must be ${rules.formats.join(' or ')} (is ${variant.format})` });
  return failures;
}

type VariantFacts = { purpose: string; marketplaces: readonly string[]; width: number; height: number; bytes: number; format: string };

/**
 * The photos a marketplace gets of a product: the ready ones in the product's order (the cover
 * first), as many as it takes (`maxCount`), each with its variant for that marketplace — the one
 * made for it, else (a marketplace added to the registry after the photo was processed) any
 * marketplace variant that meets its rules — or none. Readiness judges these; the web app saves them.
 */
export function photosForMarketplace<P extends { status: string; order: number; variants: readonly VariantFacts[] }>(
  photos: readonly P[],
  m: { id: string; photos: PhotoRules },
): { photo: P; variant: P['variants'][number] | undefined }[] {
  return photos
    .filter((p) => p.status === 'ready')
    .sort((a, b) => a.order - b.order)
    .slice(0, m.photos.maxCount)
    .map((photo) => ({
      photo,
      variant: photo.variants.find((v) => v.marketplaces.includes(m.id)) ?? photo.variants.find((v) => v.purpose === 'marketplace' && checkVariantAgainstRules(v, m.photos).length === 0),
    }));
}

/** What a product keeps of its listings: each marketplace's listing status (the product list filters on it). */
export function listingStatusesOf(listings: readonly { marketplace: string; status: ListingStatus }[]): Record<string, ListingStatus> {
  return Object.fromEntries(listings.map((l) => [l.marketplace, l.status]));
}

/** Whether two lists of marketplaces (where a product is ready, or live) name the same ones. */
export function sameMarketplaces(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m));
}

/** Whether two kept listing-status maps say the same. */
export function sameListingStatuses(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([m, s]) => b[m] === s);
}
