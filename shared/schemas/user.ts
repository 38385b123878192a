import { z } from 'zod';
import { userLimits } from '../field-limits.ts';
import { roles, scopeIssues } from '../user-scope.ts';
import { CommuneCodeSchema, IdSchema, VersionSchema } from './common.ts';

export { roles, scopeIssues };

export const RoleSchema = z.enum(roles);
export type Role = z.infer<typeof RoleSchema>;

export const UsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(userLimits.username.pattern, '3–40 characters: letters, digits, dot, dash, underscore');

const CommunesSchema = z.array(CommuneCodeSchema).min(1).max(166);

/** A password an administrator sets; where sign-in is Cognito its pool's policy applies on top. */
const PasswordSchema = z.string().min(userLimits.password.min, `at least ${userLimits.password.min} characters`).max(userLimits.password.max);

export const UserCreateSchema = z
  .strictObject({
    username: UsernameSchema,
    password: PasswordSchema,
    role: RoleSchema,
    communes: CommunesSchema.optional(),
    producerId: IdSchema.optional(),
  })
  .superRefine((u, ctx) => {
    for (const { path, message, rule } of scopeIssues(u)) ctx.addIssue({ code: 'custom', path: [path], message, params: { rule } });
  })
  .meta({ id: 'UserCreate' });

/** A user's id: the identity's `sub` — a server id locally, a Cognito UUID in the cloud. */
export const UserIdSchema = z
  .string()
  .regex(/^([0-9A-HJKMNP-TV-Z]{26}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/, 'not a valid user id')
  .meta({ description: "The identity's sub", example: '6b1e8f0a-3c2d-4e5f-9a8b-7c6d5e4f3a2b' });

/**
 * What an administrator may change on a user: whether it may sign in, and its role and scope.
 * A role or scope change carries the `version` it was based on (a stale one gets 409); the
 * scope fields sent replace the old ones, and a role change drops the scope fields of the old
 * role that are not sent again. Disabling or enabling alone may leave `version` out.
 */
export const UserUpdateSchema = z
  .strictObject({
    version: VersionSchema.optional(),
    disabled: z.boolean().optional(),
    role: RoleSchema.optional(),
    communes: CommunesSchema.optional(),
    producerId: IdSchema.optional(),
  })
  .superRefine((u, ctx) => {
    const scopeChange = u.role !== undefined || u.communes !== undefined || u.producerId !== undefined;
    if (!scopeChange && u.disabled === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'nothing to change: send disabled, role, communes or producerId', params: { rule: 'nothing_to_change' } });
    if (scopeChange && u.version === undefined) ctx.addIssue({ code: 'custom', path: ['version'], message: 'a role or scope change needs the version it was based on', params: { rule: 'version_required' } });
  })
  .meta({ id: 'UserUpdate' });

/**
 * An administrator resetting a user's sign-in (forgotten password, lost phone): `password` is
 * handed to the user, who must choose a new one at the next sign-in where sign-in is Cognito;
 * `authenticator` also forgets the user's authenticator app, so a new one is set up then.
 */
export const UserSignInResetSchema = z
  .strictObject({
    password: PasswordSchema,
    authenticator: z.boolean().default(false),
  })
  .meta({ id: 'UserSignInReset' });

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: RoleSchema,
    communes: z.array(z.string()).optional(),
    producerId: z.string().optional(),
    disabled: z.boolean(),
    createdAt: z.string(),
    /** Bumped by every change; accounts made before users had versions read as 1. */
    version: z.number().int().min(1).default(1),
  })
  .meta({ id: 'User' });

export const LoginSchema = z.strictObject({ username: z.string().trim().toLowerCase().min(1).max(40), password: z.string().min(1).max(200) }).meta({ id: 'Login' });
export const TokenSchema = z.object({ token: z.string(), expiresAt: z.string(), user: UserSchema }).meta({ id: 'Token' });

export type UserCreate = z.infer<typeof UserCreateSchema>;
export type UserUpdate = z.infer<typeof UserUpdateSchema>;
export type UserSignInReset = z.infer<typeof UserSignInResetSchema>;
export type User = z.infer<typeof UserSchema>;
