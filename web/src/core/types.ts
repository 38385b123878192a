/**
 * API shapes the web app reads and writes. Types only: they come from the shared zod schemas
 * (`import type` keeps zod out of the bundle).
 */
import type { ErrorCode } from '#shared/errors.ts';
import type { Marketplace } from '#shared/marketplaces.ts';
import type { AccountStatus, ListingStatus } from '#shared/onboarding-rules.ts';
import type { AuditEvent } from '#shared/schemas/audit.ts';
import type { ImportFailure } from '#shared/schemas/common.ts';
import type { Producer, ProducerCreate, ProducerUpdate } from '#shared/schemas/producer.ts';
import type { Product, ProductCreate, ProductListItem, ProductUpdate } from '#shared/schemas/product.ts';
import type { Photo, PhotoUploadTarget } from '#shared/schemas/photo.ts';
import type { Role } from '#shared/schemas/user.ts';

export type { AccountStatus, AuditEvent, ImportFailure, Photo, PhotoUploadTarget, ErrorCode, ListingStatus, Marketplace, Producer, ProducerCreate, ProducerUpdate, Product, ProductCreate, ProductListItem, ProductUpdate, Role };

export type { FieldRule } from '#shared/errors.ts';
import type { FieldRule } from '#shared/errors.ts';

export type Page<T> = { items: T[]; nextCursor: string | null };
export type Items<T> = { items: T[] };

export type Me = { id: string; username: string; role: Role; communes?: string[]; producerId?: string };
/** `refreshToken` only with Cognito: `token` is then the access token, renewed from it. */
export type Session = { token: string; expiresAt: string; refreshToken?: string; user: Me };

export type Problem = {
  type?: string;
  title: string;
  status: number;
  code: ErrorCode | string;
  detail?: string;
  errors?: { path: string; message: string; rule?: FieldRule; limit?: number }[];
  /** Import routes: why the file was refused. */
  failure?: ImportFailure;
  [extra: string]: unknown;
};

export type { DuplicateMatch } from '#shared/schemas/onboarding.ts';

export type Account = { producerId: string; marketplace: string; status: AccountStatus; shopUrl?: string; version: number; updatedAt: string };
export type Listing = { productId: string; marketplace: string; status: ListingStatus; url?: string; reason?: string; overrideReason?: string; version: number; updatedAt: string };
export type ListingTransition = { at: string; actor: { id: string; username: string }; from: ListingStatus | null; to: ListingStatus; reason?: string; overrideReason?: string; url?: string };

export type MarketplaceReadiness = { marketplace: string; percent: number; met: number; required: number; missing: { key: string; message: { vi: string; en: string } }[] };
export type Readiness = { productId: string; marketplaces: MarketplaceReadiness[] };

export const coverageMetrics = ['producers', 'producersTrained', 'producersWithAccount', 'producersLive', 'products', 'ocopProducts', 'productsReady', 'productsLive', 'ocopLive'] as const;
export type CoverageMetric = (typeof coverageMetrics)[number];
/** A metric the fallback cannot compute is null ("—" on screen). */
export type CoverageCounts = Record<CoverageMetric, number | null>;
export type CoverageRow = { communeCode: string; communeName: string } & CoverageCounts;
export type Coverage = { asOf: string; rows: CoverageRow[]; totals: CoverageCounts };

export type Commune = { code: string; name: string; fullName: string; type: 'Xã' | 'Phường'; nameEn: string; formerDistricts: { code: string; fullName: string }[] };

export type MarketplaceInfo = Pick<Marketplace, 'id' | 'name' | 'url' | 'domains' | 'operator' | 'publicProgramme' | 'requiredFields' | 'photos'>;
