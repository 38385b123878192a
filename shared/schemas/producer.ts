import { producerLimits } from '../field-limits.ts';
import { z } from 'zod';
import { normaliseName } from '../text/normalise.ts';
import { CitizenIdSchema, CommuneCodeSchema, EventDateSchema, IdSchema, PhoneSchema, TaxCodeSchema, TextSchema, VersionSchema } from './common.ts';

export const producerKinds = ['household', 'cooperative', 'cooperative_group', 'enterprise'] as const;
export const ProducerKindSchema = z.enum(producerKinds).meta({ description: 'hộ kinh doanh, HTX, tổ hợp tác, doanh nghiệp' });

/** Why the province may hold this producer's personal data (Decree 13/2023). */
export const LegalBasisSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('consent'), consentDate: EventDateSchema }),
  z.strictObject({ type: z.literal('state_management') }),
]);

/** A legal basis as stored and answered: read back as the rules of its day let it in (a rule added since must not make an older record unreadable). */
const StoredLegalBasisSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('consent'), consentDate: z.string() }), z.object({ type: z.literal('state_management') })]);

export const LocationSchema = z.object({
  lat: z.number().min(8).max(24),
  lng: z.number().min(102).max(110),
});

const producerFields = {
  kind: ProducerKindSchema,
  // A name of punctuation alone has no matching key: every such name would be a duplicate of every other.
  name: TextSchema()
    // An empty name is missing, said once (not also "needs a letter").
    .min(1, { abort: true })
    .max(producerLimits.name)
    .refine((v) => normaliseName(v) !== '', { message: 'a name needs at least one letter or digit', params: { rule: 'name_needs_letter' } }),
  representative: TextSchema().min(1).max(producerLimits.representative).optional(),
  phone: PhoneSchema.optional(),
  taxCode: TaxCodeSchema.optional(),
  communeCode: CommuneCodeSchema,
  address: TextSchema().max(producerLimits.address).optional(),
  location: LocationSchema.optional(),
  legalBasis: LegalBasisSchema,
  trainingDate: EventDateSchema.optional().meta({ description: 'Date of e-commerce training' }),
};

export const ProducerCreateSchema = z
  .strictObject({
    ...producerFields,
    citizenId: CitizenIdSchema.optional().meta({ description: 'Write-only: kept as a keyed hash and the last 4 digits' }),
    confirmDistinct: z.boolean().optional().meta({ description: 'Create even though likely duplicates exist (after a 409 DUPLICATE_PRODUCER)' }),
  })
  .meta({ id: 'ProducerCreate' });

export const ProducerUpdateSchema = z
  .strictObject({
    version: VersionSchema,
    kind: producerFields.kind.optional(),
    name: producerFields.name.optional(),
    representative: producerFields.representative.nullable(),
    phone: producerFields.phone.nullable(),
    taxCode: producerFields.taxCode.nullable(),
    communeCode: producerFields.communeCode.optional(),
    address: producerFields.address.nullable(),
    location: producerFields.location.nullable(),
    legalBasis: producerFields.legalBasis.optional(),
    trainingDate: producerFields.trainingDate.nullable(),
    citizenId: CitizenIdSchema.nullable().optional(),
  })
  .meta({ id: 'ProducerUpdate', description: 'Fields to change; null clears an optional field' });

export const ProducerSchema = z
  .object({
    id: IdSchema,
    kind: ProducerKindSchema,
    name: z.string(),
    representative: z.string().optional(),
    phone: z.string().optional().meta({ description: 'Masked (091****678) for roles that do not need it' }),
    taxCode: z.string().optional(),
    citizenIdLast4: z.string().optional(),
    communeCode: z.string(),
    communeName: z.string(),
    address: z.string().optional(),
    location: LocationSchema.optional(),
    legalBasis: StoredLegalBasisSchema,
    trainingDate: z.string().optional(),
    productCount: z.number().int(),
    accountMarketplaces: z.array(z.string()).default([]).meta({ description: 'Marketplaces where its seller account is at least registered' }),
    liveCounts: z.record(z.string(), z.number().int()).default({}).meta({ description: 'Per marketplace, how many of its products are live' }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Producer' });

export const ProducerListQuerySchema = z.object({
  communeCode: CommuneCodeSchema.optional(),
  q: TextSchema()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Loose name search (case, accents, tone marks ignored); a number is looked up exactly as a tax code, and for callers who see personal data as a phone number or citizen ID' }),
});

export type ProducerCreate = z.infer<typeof ProducerCreateSchema>;
export type ProducerUpdate = z.infer<typeof ProducerUpdateSchema>;
export type Producer = z.infer<typeof ProducerSchema>;
export type ProducerListQuery = z.infer<typeof ProducerListQuerySchema>;
