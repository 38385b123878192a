import { createRoute, z } from '@hono/zod-openapi';
import { LoginSchema, TokenSchema, UserSchema, UserCreateSchema, UserIdSchema, UserSignInResetSchema, UserUpdateSchema } from '#shared/schemas/user.ts';
import { PageQuerySchema, pageOf } from '#shared/schemas/common.ts';
import type { IdentityProvider, SessionService } from '#functions/services/auth-service.ts';
import type { UserService } from '#functions/services/user-service.ts';
import { userView } from '#functions/services/user-rules.ts';
import { WriteHeadersSchema, bearer, jsonBodyOf, jsonResponse, problemResponses, writeContext, type Router } from '../app-env.ts';

/** `POST /auth/login` exists only where the server signs users in itself (local mode). */
export function registerLoginRoute(app: Router, identity: IdentityProvider) {
  const signIn = identity.signIn;
  if (!signIn) return;
  app.openapi(
    createRoute({ method: 'post', path: '/auth/login', tags: ['Auth'], summary: 'Sign in (local mode); returns a bearer token', request: { body: jsonBodyOf(LoginSchema) }, responses: { 200: jsonResponse(TokenSchema, 'Signed in'), 400: problemResponses[400], 401: problemResponses[401] } }),
    async (c) => {
      const { username, password } = c.req.valid('json');
      const { token, expiresAt, user } = await signIn(username, password);
      return c.json({ token, expiresAt, user: userView(user) }, 200);
    },
  );
}

export function registerUserRoutes(app: Router, users: UserService) {
  const tags = ['Users'];
  app.openapi(
    createRoute({ method: 'get', path: '/auth/me', tags: ['Auth'], security: bearer, summary: 'The signed-in user, role and scope', responses: { 200: jsonResponse(UserSchema.pick({ id: true, username: true, role: true, communes: true, producerId: true }), 'You'), 401: problemResponses[401] } }),
    (c) => {
      const p = c.get('principal');
      return c.json({ id: p.sub, username: p.username, role: p.role, communes: p.communes, producerId: p.producerId }, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'post', path: '/users', tags, security: bearer, summary: "Create a user with a role and scope (admin); a cooperative user's producerId must name an existing producer, also one deleted or merged away while the user is written (else 400 VALIDATION_FAILED at producerId)", request: { headers: WriteHeadersSchema, body: jsonBodyOf(UserCreateSchema) }, responses: { 201: jsonResponse(UserSchema, 'Created'), ...problemResponses } }),
    async (c) => c.json(await users.create(writeContext(c), c.req.valid('json')), 201),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      tags,
      security: bearer,
      summary: "Change a user's role and scope (with the version it was based on), or disable or re-enable it (admin); a disabled user can neither sign in nor use a token it holds",
      request: { params: z.object({ id: UserIdSchema }), headers: WriteHeadersSchema, body: jsonBodyOf(UserUpdateSchema) },
      responses: { 200: jsonResponse(UserSchema, 'Updated'), ...problemResponses },
    }),
    async (c) => c.json(await users.update(writeContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{id}/sign-in-reset',
      tags,
      security: bearer,
      summary: "Reset another user's sign-in (admin): a new password to hand over — where sign-in is Cognito a temporary one the user replaces at the next sign-in, and with `authenticator: true` the authenticator app is forgotten and set up again then — and every session the user had ends",
      request: { params: z.object({ id: UserIdSchema }), headers: WriteHeadersSchema, body: jsonBodyOf(UserSignInResetSchema) },
      responses: { 200: jsonResponse(UserSchema, 'Reset'), ...problemResponses },
    }),
    async (c) => c.json(await users.resetSignIn(writeContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/users', tags, security: bearer, summary: 'Users (admin)', request: { query: PageQuerySchema }, responses: { 200: jsonResponse(pageOf(UserSchema), 'A page of users'), ...problemResponses } }),
    async (c) => c.json(await users.list(c.get('principal'), c.req.valid('query')), 200),
  );
}

/** `POST /auth/logout`: ends every session of the caller, on every device. */
export function registerLogoutRoute(app: Router, sessions: SessionService) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['Auth'],
      security: bearer,
      summary: 'Sign out everywhere: every token of yours issued until now is refused from now on (other API instances may accept one for up to 30 s more); no body',
      description:
        'In the cloud your Cognito refresh tokens are revoked too. A token issued in the same second as the sign-out is still accepted (token times have whole seconds). Sending an ended session\'s token again answers 204 and changes nothing.',
      responses: { 204: { description: 'Signed out everywhere' }, 401: problemResponses[401], 503: problemResponses[503] },
    }),
    async (c) => {
      if (!c.get('sessionEnded')) await sessions.signOutEverywhere(c.get('principal'));
      return c.body(null, 204);
    },
  );
}
