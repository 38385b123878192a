import { productLimits } from '../field-limits.ts';
import { z } from 'zod';
import { EventDateSchema, IdSchema, VersionSchema, CommuneCodeSchema, TextSchema } from './common.ts';
import { marketplaceIds } from '../marketplaces.ts';
import { listingStatuses } from '../onboarding-rules.ts';

/** The six OCOP product groups of Decision 148/QĐ-TTg. */
export const ocopGroups = ['food', 'beverages', 'herbs', 'handicrafts', 'ornamentals', 'tourism_services'] as const;
export const OcopGroupSchema = z.enum(ocopGroups);
export const OcopStarsSchema = z.union([z.literal(0), z.literal(3), z.literal(4), z.literal(5)]).meta({ description: '0 = not OCOP-rated' });
export const certifications = ['VietGAP', 'GlobalGAP', 'organic', 'HACCP', 'ISO22000'] as const;

/** OCOP certificates are valid for 36 months from the decision date. */
export const OCOP_CERTIFICATE_MONTHS = 36;

const productFields = {
  name: TextSchema().min(1).max(productLimits.name),
  ocopGroup: OcopGroupSchema,
  ocopStars: OcopStarsSchema,
  certificateNo: TextSchema().min(1).max(productLimits.certificateNo).optional(),
  certificateDate: EventDateSchema.optional().meta({ description: 'Date of the OCOP rating decision' }),
  certifications: z
    .array(z.enum(certifications))
    .max(certifications.length)
    .refine((a) => new Set(a).size === a.length, { message: 'each certification once', params: { rule: 'choice' } })
    .optional(),
  unit: TextSchema().min(1).max(productLimits.unit).optional().meta({ example: 'hộp 500 g' }),
  priceVnd: z.number().int().min(productLimits.priceVnd.min).max(productLimits.priceVnd.max).optional(),
  weightGrams: z.number().int().min(productLimits.weightGrams.min).max(productLimits.weightGrams.max).optional(),
  shelfLifeDays: z.number().int().min(productLimits.shelfLifeDays.min).max(productLimits.shelfLifeDays.max).optional(),
  description: TextSchema().max(productLimits.description).optional(),
};

type CertificateFields = { ocopStars?: number | undefined; certificateNo?: string | null | undefined; certificateDate?: string | null | undefined };

/**
 * What breaks the certificate rule — a rated product needs its certificate; an unrated one has
 * none — for a product `v`, of which the request sets `given` (a create: all of it; a patch: its
 * changes). The create schema and the product service's patch both judge by it.
 */
export function certificateIssues(v: CertificateFields, given: Partial<Record<'certificateNo' | 'certificateDate', unknown>> = v) {
  const issue = (path: 'certificateNo' | 'certificateDate', message: string, rule: 'certificate_only_when_rated' | 'certificate_required') => ({ path, message, rule });
  if (!v.ocopStars) {
    return (['certificateNo', 'certificateDate'] as const).filter((f) => given[f] !== undefined && given[f] !== null).map((f) => issue(f, 'a product without an OCOP rating has no certificate', 'certificate_only_when_rated'));
  }
  return [
    ...(v.certificateNo ? [] : [issue('certificateNo', 'an OCOP-rated product needs its certificate number', 'certificate_required')]),
    ...(v.certificateDate ? [] : [issue('certificateDate', 'an OCOP-rated product needs its decision date', 'certificate_required')]),
  ];
}

function requireCertificateWhenRated(v: CertificateFields, ctx: z.RefinementCtx) {
  for (const i of certificateIssues(v)) ctx.addIssue({ code: 'custom', path: [i.path], message: i.message, params: { rule: i.rule } });
}

export const ProductCreateSchema = z
  .strictObject({ producerId: IdSchema, ...productFields })
  .superRefine(requireCertificateWhenRated)
  .meta({ id: 'ProductCreate' });

export const ProductUpdateSchema = z
  .strictObject({
    version: VersionSchema,
    name: productFields.name.optional(),
    ocopGroup: productFields.ocopGroup.optional(),
    ocopStars: productFields.ocopStars.optional(),
    certificateNo: productFields.certificateNo.nullable(),
    certificateDate: productFields.certificateDate.nullable(),
    certifications: productFields.certifications.nullable(),
    unit: productFields.unit.nullable(),
    priceVnd: productFields.priceVnd.nullable(),
    weightGrams: productFields.weightGrams.nullable(),
    shelfLifeDays: productFields.shelfLifeDays.nullable(),
    description: productFields.description.nullable(),
  })
  .meta({ id: 'ProductUpdate', description: 'Fields to change; null clears an optional field' });

/**
 * The fields as stored and answered: read back as the rules of their day let them in — a rule
 * added since (a date range, plain text, each certification once) must not make an older record
 * unreadable, nor stop the nightly scan that reads every one.
 */
const storedProductFields = {
  ...productFields,
  name: z.string(),
  certificateNo: z.string().optional(),
  certificateDate: z.string().optional().meta({ description: 'Date of the OCOP rating decision' }),
  certifications: z.array(z.enum(certifications)).optional(),
  unit: z.string().optional(),
  description: z.string().optional(),
};

export const ProductSchema = z
  .object({
    id: IdSchema,
    producerId: IdSchema,
    communeCode: z.string(),
    ...storedProductFields,
    certificateExpiry: z.string().optional().meta({ description: 'Derived: decision date + 36 months' }),
    certificateExpired: z
      .boolean()
      .optional()
      .meta({ description: "Derived, on rated products: the certificate's expiry date has passed (in Vietnam). Such a product keeps its rating but no longer counts as OCOP in coverage until a new decision date is entered. Set when the product itself is written (create, edit, import), when its readiness is refreshed (a photo change, the reconciliation) and by the nightly marking and each month-end snapshot for one that lapses untouched; other changes (listings, commune moves) keep it as it was until then" }),
    readyMarketplaces: z.array(z.string()).default([]).meta({ description: 'Derived: marketplaces where readiness is 100%' }),
    liveMarketplaces: z.array(z.string()).default([]).meta({ description: 'Derived: marketplaces where it is live' }),
    listingStatuses: z
      // Keyed by any string: a record must still read after a marketplace leaves the registry.
      .record(z.string(), z.enum(listingStatuses))
      .optional()
      .meta({ description: 'Derived: the status of its listing on each marketplace where it has one (absent on records older than this field until the nightly reconciliation fills it)' }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });

export const ProductListItemSchema = ProductSchema.extend({
  producerName: z.string().optional().meta({ description: "The producer's name, as it is now (two producers' products often share a name)" }),
}).meta({ id: 'ProductListItem' });

export const ProductListQuerySchema = z.object({
  communeCode: CommuneCodeSchema.optional(),
  producerId: IdSchema.optional(),
  q: TextSchema().min(1).max(100).optional(),
  ocopStars: z.enum(['0', '3', '4', '5']).optional().meta({ description: 'Only products with this OCOP rating (0 = not rated)' }),
  marketplace: z.enum(marketplaceIds).optional().meta({ description: 'With `listingStatus`: its listing on this marketplace; with `ready` (and no `listingStatus`): the marketplace whose readiness counts; alone: products with a listing there' }),
  listingStatus: z
    .enum([...listingStatuses, 'none'])
    .optional()
    .meta({ description: 'Only products whose listing (on `marketplace`, or on any marketplace) has this status; `none`: no listing there (anywhere, without `marketplace`)' }),
  ready: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'Only products ready (readiness 100%) — or not — for `marketplace`, or, without it, for at least one marketplace. With `listingStatus=none`: the products that can be listed next' }),
});

export type ProductCreate = z.infer<typeof ProductCreateSchema>;
export type ProductUpdate = z.infer<typeof ProductUpdateSchema>;
export type Product = z.infer<typeof ProductSchema>;
export type ProductListItem = z.infer<typeof ProductListItemSchema>;
export type ProductListQuery = z.infer<typeof ProductListQuerySchema>;

/**
 * Whether a rated product's OCOP certificate has lapsed on `today` (a Vietnam date, `yyyy-mm-dd`):
 * it is valid up to and including its expiry date. Unrated products have no certificate: undefined.
 */
export function certificateExpiredOn(p: { ocopStars: number; certificateExpiry?: string }, today: string): boolean | undefined {
  if (!p.ocopStars || !p.certificateExpiry) return undefined;
  return p.certificateExpiry < today;
}

/** Whether a product's kept lapse (absent on records older than it: not lapsed) differs from `expired`. */
export const certificateLapseMoved = (kept: { certificateExpired?: boolean }, expired: boolean | undefined): boolean => Boolean(kept.certificateExpired) !== Boolean(expired);

/** `YYYY-MM-DD` + 36 months (clamped to the month's last day, e.g. 29 Feb → 28 Feb). */
export function certificateExpiry(decisionDate: string): string {
  const [y, m, d] = decisionDate.split('-').map(Number) as [number, number, number];
  const months = m - 1 + OCOP_CERTIFICATE_MONTHS;
  const year = y + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
