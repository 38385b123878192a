import { z } from 'zod';

export const CommuneSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    fullName: z.string(),
    type: z.enum(['Xã', 'Phường']),
    nameEn: z.string(),
    formerDistricts: z.array(z.object({ code: z.string(), fullName: z.string() })),
  })
  .meta({ id: 'Commune' });

export const ResolveQuerySchema = z.object({
  name: z.string().trim().min(1).max(120).meta({ description: 'Old or current commune name or code, any spelling', example: 'TT. Thiệu Hoá' }),
  district: z.string().trim().min(1).max(120).optional().meta({ description: 'Former district name or code, to tell apart same-named old communes' }),
});

export const ResolutionSchema = z
  .object({
    query: z.object({ name: z.string(), district: z.string().optional() }),
    status: z.enum(['current', 'mapped', 'ambiguous', 'unmapped', 'not_found']),
    candidates: z.array(
      z.object({
        code: z.string(),
        fullName: z.string(),
        share: z.string().optional(),
        via: z.object({ code: z.string(), fullName: z.string(), districtFullName: z.string(), validIn: z.array(z.enum(['2024', '2025-pre-reform'])) }).optional(),
      }),
    ),
  })
  .meta({ id: 'Resolution', description: 'ambiguous: the old unit was split (or the name is shared) and a person must choose' });
