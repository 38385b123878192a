import { z } from 'zod';
import { marketplaceIds } from '../marketplaces.ts';
import { accountStatuses, listingStatuses } from '../onboarding-rules.ts';
import { IdSchema, TextSchema } from './common.ts';

export const MarketplaceIdSchema = z.enum(marketplaceIds).meta({ description: 'Marketplace id from GET /marketplaces' });
export const AccountStatusSchema = z.enum(accountStatuses);
export const ListingStatusSchema = z.enum(listingStatuses);
const UrlSchema = z.url({ protocol: /^https?$/, message: 'expected an http(s) address' }).max(500);

export const AccountPutSchema = z
  .strictObject({
    status: AccountStatusSchema,
    shopUrl: UrlSchema.optional(),
    version: z.number().int().min(1).optional().meta({ description: 'Required when the account exists: the version you read' }),
  })
  .meta({ id: 'AccountPut' });

export const AccountSchema = z
  .object({
    producerId: z.string(),
    marketplace: z.string(),
    status: AccountStatusSchema,
    shopUrl: z.string().optional(),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SellerAccount' });

export const ListingPutSchema = z
  .strictObject({
    status: ListingStatusSchema,
    url: UrlSchema.optional().meta({ description: 'The listing’s address on the marketplace; required to go live' }),
    reason: TextSchema().min(1).max(500).optional().meta({ description: 'Why it was rejected (required for rejected), or a note' }),
    overrideReason: TextSchema().min(3).max(500).optional().meta({ description: 'Submit although readiness is below 100%, and why' }),
    version: z.number().int().min(1).optional().meta({ description: 'Required when the listing exists: the version you read' }),
  })
  .meta({ id: 'ListingPut' });

export const ListingSchema = z
  .object({
    productId: z.string(),
    producerId: z.string(),
    marketplace: z.string(),
    status: ListingStatusSchema,
    url: z.string().optional(),
    reason: z.string().optional(),
    overrideReason: z.string().optional(),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Listing' });

export const ListingTransitionSchema = z
  .object({
    at: z.string(),
    actor: z.object({ id: z.string(), username: z.string() }),
    from: ListingStatusSchema.nullable(),
    to: ListingStatusSchema,
    reason: z.string().optional(),
    overrideReason: z.string().optional(),
    url: z.string().optional(),
  })
  .meta({ id: 'ListingTransition' });

export const ReadinessSchema = z
  .object({
    productId: z.string(),
    marketplaces: z.array(
      z.object({
        marketplace: z.string(),
        percent: z.number().int(),
        met: z.number().int(),
        required: z.number().int(),
        missing: z.array(z.object({ key: z.string(), message: z.object({ vi: z.string(), en: z.string() }) })),
      }),
    ),
  })
  .meta({ id: 'Readiness' });

export const DuplicateMatchSchema = z.object({
  id: z.string().optional().meta({ description: 'Only for producers in your scope' }),
  name: z.string().optional(),
  version: z.number().int().optional().meta({ description: 'Only for producers in your scope: the version to send as `sourceVersion` when merging it' }),
  communeCode: z.string().optional().meta({ description: "Only for producers in your scope: a phone, tax code or citizen ID must not tell where its owner lives" }),
  matchedOn: z.array(z.enum(['phone', 'taxCode', 'citizenId', 'name'])),
  userCount: z.number().int().optional().meta({ description: 'Only in a producer’s duplicates, for producers in your scope: its cooperative user accounts, which a merge into the producer kept binds to that producer (an administrator’s merge only)' }),
});

export const MergeSchema = z
  .strictObject({
    sourceId: IdSchema.meta({ description: 'The duplicate that disappears into this producer' }),
    version: z.number().int().min(1).meta({ description: 'Version of the surviving producer you read' }),
    sourceVersion: z.number().int().min(1).optional().meta({ description: 'Version of the duplicate you reviewed; a stale one gets 409 VERSION_CONFLICT (left out, the duplicate is merged as it is now)' }),
  })
  .meta({ id: 'Merge' });

export const CertificateQuerySchema = z.object({
  withinDays: z.coerce.number().int().min(0).max(3650).default(90).meta({ description: 'Expiring within this many days (expired ones included)' }),
  expiredWithinDays: z.coerce.number().int().min(0).max(3650).optional().meta({ description: 'Of the expired ones, only those that expired at most this many days ago (0: none before today); all when left out' }),
});

export type AccountPut = z.infer<typeof AccountPutSchema>;
export type Account = z.infer<typeof AccountSchema>;
export type ListingPut = z.infer<typeof ListingPutSchema>;
export type Listing = z.infer<typeof ListingSchema>;
export type ListingTransition = z.infer<typeof ListingTransitionSchema>;
export type DuplicateMatch = z.infer<typeof DuplicateMatchSchema>;
