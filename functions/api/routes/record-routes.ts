import { ProducerCreateSchema, ProducerListQuerySchema, ProducerSchema, ProducerUpdateSchema } from '#shared/schemas/producer.ts';
import { ProductCreateSchema, ProductListItemSchema, ProductListQuerySchema, ProductSchema, ProductUpdateSchema } from '#shared/schemas/product.ts';
import type { AuditTrail } from '#functions/services/audit-trail.ts';
import type { ProducerService } from '#functions/services/producer-service.ts';
import type { ProductService } from '#functions/services/product-service.ts';
import type { Router } from '../app-env.ts';
import { registerResourceRoutes } from './resource-routes.ts';

/** Producers and their products: `/producers…` and `/products…`. */
export function registerRecordRoutes(app: Router, deps: { producers: ProducerService; products: ProductService; auditTrail: AuditTrail }) {
  registerResourceRoutes(app, {
    path: '/producers',
    tag: 'Producers',
    noun: 'producer',
    entity: 'producer',
    schemas: { create: ProducerCreateSchema, update: ProducerUpdateSchema, view: ProducerSchema, listQuery: ProducerListQuerySchema },
    service: deps.producers,
    auditTrail: deps.auditTrail,
    deleteSummary: 'Delete a producer that has no products (else 409 PRODUCER_HAS_PRODUCTS) and no cooperative users (else 409 PRODUCER_HAS_USERS with userCount, also for a user bound while the delete is written)',
  });
  registerResourceRoutes(app, {
    path: '/products',
    tag: 'Products',
    noun: 'product',
    entity: 'product',
    schemas: { create: ProductCreateSchema, update: ProductUpdateSchema, view: ProductSchema, listQuery: ProductListQuerySchema, listItem: ProductListItemSchema },
    service: deps.products,
    auditTrail: deps.auditTrail,
    deleteSummary: 'Delete a product',
  });
}
