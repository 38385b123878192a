import { createRoute, z } from '@hono/zod-openapi';
import { marketplaces } from '#shared/marketplaces.ts';
import { IdSchema, PageQuerySchema, pageOf } from '#shared/schemas/common.ts';
import { AccountPutSchema, AccountSchema, CertificateQuerySchema, DuplicateMatchSchema, ListingPutSchema, ListingSchema, ListingTransitionSchema, MergeSchema, ReadinessSchema } from '#shared/schemas/onboarding.ts';
import { ProducerSchema } from '#shared/schemas/producer.ts';
import { ProductSchema } from '#shared/schemas/product.ts';
import type { OnboardingService } from '#functions/services/onboarding-service.ts';
import type { ProducerService } from '#functions/services/producer-service.ts';
import type { ProductService } from '#functions/services/product-service.ts';
import { IdParamsSchema, WriteHeadersSchema, bearer, jsonBodyOf, jsonResponse, problemResponses, writeContext, type Router } from '../app-env.ts';

const MarketplaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    domains: z.array(z.string()),
    operator: z.string(),
    publicProgramme: z.boolean(),
    requiredFields: z.array(z.string()),
    photos: z.object({ minPx: z.number(), maxPx: z.number(), maxBytes: z.number(), aspect: z.enum(['square', 'any']), formats: z.array(z.string()), minCount: z.number(), maxCount: z.number(), targetPx: z.number(), ruleSource: z.string() }),
  })
  .meta({ id: 'Marketplace' });

const ProducerMarketParams = z.object({ id: IdSchema, marketplace: z.string().min(1).max(40) });
const items = <T extends z.ZodType>(schema: T) => z.object({ items: z.array(schema) });

/** Marketplaces, seller accounts, listings, readiness, duplicates and merges, expiring certificates. */
export function registerOnboardingRoutes(app: Router, deps: { onboarding: OnboardingService; producers: ProducerService; products: ProductService }) {
  const { onboarding, producers, products } = deps;
  const common = { security: bearer };

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/marketplaces', tags: ['Marketplaces'], summary: 'The marketplace registry: required fields and photo rules', responses: { 200: jsonResponse(items(MarketplaceSchema), 'Marketplaces'), 401: problemResponses[401] } }),
    (c) => c.json({ items: [...marketplaces] }, 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/products/certificates', tags: ['Products'], summary: 'OCOP certificates that expired or expire soon, in your scope', request: { query: CertificateQuerySchema.extend(PageQuerySchema.shape) }, responses: { 200: jsonResponse(pageOf(ProductSchema), 'Products, soonest expiry first'), ...problemResponses } }),
    async (c) => {
      const { withinDays, expiredWithinDays, limit, cursor } = c.req.valid('query');
      return c.json(await products.expiringCertificates(c.get('principal'), { withinDays, expiredWithinDays }, { limit, cursor }), 200);
    },
  );

  const accountTags = ['Seller accounts'];
  app.openapi(
    createRoute({ ...common, method: 'get', path: '/producers/{id}/accounts', tags: accountTags, summary: 'A producer’s seller accounts', request: { params: IdParamsSchema }, responses: { 200: jsonResponse(items(AccountSchema), 'Accounts'), ...problemResponses } }),
    async (c) => c.json({ items: await onboarding.listAccounts(c.get('principal'), c.req.valid('param').id) }, 200),
  );
  app.openapi(
    createRoute({ ...common, method: 'put', path: '/producers/{id}/accounts/{marketplace}', tags: accountTags, summary: 'Record a seller account’s status (none → registered → verified → active)', request: { params: ProducerMarketParams, headers: WriteHeadersSchema, body: jsonBodyOf(AccountPutSchema) }, responses: { 200: jsonResponse(AccountSchema, 'The account'), ...problemResponses } }),
    async (c) => {
      const { id, marketplace } = c.req.valid('param');
      return c.json(await onboarding.putAccount(writeContext(c), id, marketplace, c.req.valid('json')), 200);
    },
  );

  const listingTags = ['Listings'];
  app.openapi(
    createRoute({ ...common, method: 'get', path: '/products/{id}/listings', tags: listingTags, summary: 'A product’s listings on each marketplace', request: { params: IdParamsSchema }, responses: { 200: jsonResponse(items(ListingSchema), 'Listings'), ...problemResponses } }),
    async (c) => c.json({ items: await onboarding.listListings(c.get('principal'), c.req.valid('param').id) }, 200),
  );
  app.openapi(
    createRoute({ ...common, method: 'put', path: '/products/{id}/listings/{marketplace}', tags: listingTags, summary: 'Move a listing: draft → submitted → live → paused/delisted; submitted → rejected → draft', request: { params: ProducerMarketParams, headers: WriteHeadersSchema, body: jsonBodyOf(ListingPutSchema) }, responses: { 200: jsonResponse(ListingSchema, 'The listing'), ...problemResponses } }),
    async (c) => {
      const { id, marketplace } = c.req.valid('param');
      return c.json(await onboarding.putListing(writeContext(c), id, marketplace, c.req.valid('json')), 200);
    },
  );
  app.openapi(
    createRoute({ ...common, method: 'get', path: '/products/{id}/listings/{marketplace}/history', tags: listingTags, summary: 'Every transition of a listing: who, when, from, to, why', request: { params: ProducerMarketParams }, responses: { 200: jsonResponse(items(ListingTransitionSchema), 'Transitions, oldest first'), ...problemResponses } }),
    async (c) => {
      const { id, marketplace } = c.req.valid('param');
      return c.json({ items: await onboarding.history(c.get('principal'), id, marketplace) }, 200);
    },
  );
  app.openapi(
    createRoute({ ...common, method: 'get', path: '/products/{id}/readiness', tags: listingTags, summary: 'How ready the product is for each marketplace, and what is missing', request: { params: IdParamsSchema }, responses: { 200: jsonResponse(ReadinessSchema, 'Readiness per marketplace'), ...problemResponses } }),
    async (c) => c.json(await onboarding.readiness(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({ ...common, method: 'get', path: '/producers/{id}/duplicates', tags: ['Producers'], summary: 'Likely duplicates: same phone, tax code, citizen ID, or name in the commune', request: { params: IdParamsSchema }, responses: { 200: jsonResponse(items(DuplicateMatchSchema), 'Matches'), ...problemResponses } }),
    async (c) => c.json({ items: await producers.duplicates(c.get('principal'), c.req.valid('param').id) }, 200),
  );
  app.openapi(
    createRoute({ ...common, method: 'post', path: '/producers/{id}/merge', tags: ['Producers'], summary: 'Merge a duplicate into this producer (products, accounts, listings and cooperative users move; audit kept). A duplicate with cooperative users, also one bound while the merge is written, is merged by an administrator only (else 409 PRODUCER_HAS_USERS with userCount)', request: { params: IdParamsSchema, headers: WriteHeadersSchema, body: jsonBodyOf(MergeSchema) }, responses: { 200: jsonResponse(ProducerSchema, 'The surviving producer'), ...problemResponses } }),
    async (c) => c.json(await producers.merge(writeContext(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
}
