import { z } from 'zod';
import { userLimits } from '../field-limits.ts';
import { CommuneCodeSchema, IdSchema } from './common.ts';

export const roles = ['admin', 'department', 'officer', 'cooperative'] as const;
export const RoleSchema = z.enum(roles);
export type Role = z.infer<typeof RoleSchema>;

export const UsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(userLimits.username.pattern, '3–40 characters: letters, digits, dot, dash, underscore');

export const UserCreateSchema = z
  .strictObject({
    username: UsernameSchema,
    password: z.string().min(userLimits.password.min, `at least ${userLimits.password.min} characters`).max(userLimits.password.max),
    role: RoleSchema,
    communes: z.array(CommuneCodeSchema).min(1).max(166).optional(),
    producerId: IdSchema.optional(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'officer' && !u.communes?.length) ctx.addIssue({ code: 'custom', path: ['communes'], message: 'an officer needs at least one commune', params: { rule: 'officer_needs_communes' } });
    if (u.role !== 'officer' && u.communes) ctx.addIssue({ code: 'custom', path: ['communes'], message: 'only officers have communes', params: { rule: 'communes_only_for_officers' } });
    if (u.role === 'cooperative' && !u.producerId) ctx.addIssue({ code: 'custom', path: ['producerId'], message: 'a cooperative user needs its producer', params: { rule: 'cooperative_needs_producer' } });
    if (u.role !== 'cooperative' && u.producerId) ctx.addIssue({ code: 'custom', path: ['producerId'], message: 'only cooperative users have a producer', params: { rule: 'producer_only_for_cooperatives' } });
  })
  .meta({ id: 'UserCreate' });

/** A user's id: the identity's `sub` — a server id locally, a Cognito UUID in the cloud. */
export const UserIdSchema = z
  .string()
  .regex(/^([0-9A-HJKMNP-TV-Z]{26}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/, 'not a valid user id')
  .meta({ description: "The identity's sub", example: '6b1e8f0a-3c2d-4e5f-9a8b-7c6d5e4f3a2b' });

/** What an administrator may change on a user; for now, whether it may sign in. */
export const UserUpdateSchema = z.strictObject({ disabled: z.boolean() }).meta({ id: 'UserUpdate' });

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: RoleSchema,
    communes: z.array(z.string()).optional(),
    producerId: z.string().optional(),
    disabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });

export const LoginSchema = z.strictObject({ username: z.string().trim().toLowerCase().min(1).max(40), password: z.string().min(1).max(200) }).meta({ id: 'Login' });
export const TokenSchema = z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema }).meta({ id: 'Token' });

export type UserCreate = z.infer<typeof UserCreateSchema>;
export type UserUpdate = z.infer<typeof UserUpdateSchema>;
export type User = z.infer<typeof UserSchema>;
