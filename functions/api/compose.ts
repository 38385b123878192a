import type { Keyring } from '#functions/core/keyring.ts';
import { createAuditRepository } from '#functions/repositories/audit-repository.ts';
import { createCursorCodec } from '#functions/repositories/cursor.ts';
import { createIdempotencyRepository } from '#functions/repositories/idempotency-repository.ts';
import { createProducerRepository } from '#functions/repositories/producer-repository.ts';
import { createProductRepository } from '#functions/repositories/product-repository.ts';
import type { Table } from '#functions/repositories/table.ts';
import { createAccountRepository, createListingRepository } from '#functions/repositories/onboarding-repository.ts';
import { createDuplicateKeyRepository } from '#functions/repositories/duplicate-key-repository.ts';
import { createUserRepository } from '#functions/repositories/user-repository.ts';
import { createPrincipalResolver, createSessionService, type IdentityProvider, type TokenVerifier } from '#functions/services/auth-service.ts';
import { createProducerService } from '#functions/services/producer-service.ts';
import { createProductService } from '#functions/services/product-service.ts';
import { createUserService } from '#functions/services/user-service.ts';
import { createCommitter } from '#functions/services/write-context.ts';
import { createOnboardingService } from '#functions/services/onboarding-service.ts';
import { createCoverageTracker } from '#functions/services/coverage-tracker.ts';
import { createPhotoRepository } from '#functions/photos/photo-repository.ts';
import { createPhotoService, type PhotoService } from '#functions/photos/photo-service.ts';
import { createAuditTrail } from '#functions/services/audit-trail.ts';
import { createPhotoSummaryProvider } from '#functions/photos/photo-summary.ts';
import type { PhotoStore } from '#functions/photos/photo-store.ts';
import type { BlobStore } from '#functions/core/blob-store.ts';
import { createImportService, type JobRunner } from '#functions/imports/import-service.ts';
import { createExportService } from '#functions/exports/export-service.ts';
import { createCoverageService } from '#functions/services/coverage-service.ts';
import { createImportRepository } from '#functions/repositories/import-repository.ts';
import { createTargetRepository } from '#functions/repositories/target-repository.ts';
import { createCoverageRepository } from '#functions/repositories/coverage-repository.ts';

/** Repositories for a table; the identity adapters need them before the services exist. */
export function createRepositories(table: Table) {
  return {
    producers: createProducerRepository(table),
    products: createProductRepository(table),
    users: createUserRepository(table),
    audit: createAuditRepository(table),
    idempotency: createIdempotencyRepository(table),
    accounts: createAccountRepository(table),
    listings: createListingRepository(table),
    duplicateKeys: createDuplicateKeyRepository(table),
    coverage: createCoverageRepository(table),
    targets: createTargetRepository(table),
    imports: createImportRepository(table),
    photos: createPhotoRepository(table),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;

/** The composition root: repositories → services, given the adapters of where we run. */
export function composeServices(opts: {
  table: Table;
  repositories: Repositories;
  keyring: Keyring;
  identity: IdentityProvider;
  verify: TokenVerifier;
  /** Where import files and results are kept. */
  blobs: BlobStore;
  /** Where background jobs (import preview and commit) run. */
  runner: JobRunner;
  /** Where photo files live (a folder locally, S3 in the cloud). */
  photoStore: PhotoStore;
  /** Starts the recount elsewhere (the cloud: the scheduled function); absent, `POST /coverage/reconcile` recounts in the request. */
  startReconcile?: () => Promise<void>;
}) {
  const { table, repositories: repos, keyring, identity, verify } = opts;
  const cursors = createCursorCodec(keyring);
  const commit = createCommitter(table, repos.idempotency);
  const principals = createPrincipalResolver(repos.users);
  const photoSummary = createPhotoSummaryProvider(repos.photos);
  const coverage = createCoverageTracker({ coverage: repos.coverage, photos: photoSummary });
  const producers = createProducerService({ coverage, producers: repos.producers, products: repos.products, accounts: repos.accounts, listings: repos.listings, duplicateKeys: repos.duplicateKeys, users: repos.users, audit: repos.audit, keyring, cursors, commit, table, onUserChanged: principals.forget });
  let photos: PhotoService | undefined;
  const products = createProductService({ table, onRemoved: async (id) => void (await photos?.purgeProduct(id)), coverage, producers: repos.producers, products: repos.products, listings: repos.listings, audit: repos.audit, cursors, commit });
  const coverageReports = createCoverageService({ table, coverage: repos.coverage, targets: repos.targets, photos: photoSummary, products: repos.products, listings: repos.listings, refreshDerived: products.refreshDerived, unmarkedLapsedCertificates: products.unmarkedLapsedCertificates, repairUserCount: producers.repairUserCount });
  photos = createPhotoService({ photos: repos.photos, store: opts.photoStore, audit: repos.audit, commit, getProduct: (p, id) => products.getVisible(p, id), onPhotosChanged: async (id) => void (await products.refreshDerived(id)) });
  return {
    identity,
    verify,
    auditTrail: createAuditTrail({ audit: repos.audit, cursors }),
    idempotency: repos.idempotency,
    /** Keyed fingerprints of requests for the Idempotency-Key check (their bodies may hold passwords and citizen IDs). */
    requestFingerprint: keyring.fingerprint,
    principals,
    sessions: createSessionService({ users: repos.users, identity, principals }),
    producers,
    products,
    coverage,
    coverageReports,
    startReconcile: opts.startReconcile,
    photos,
    exports: createExportService({ coverage: coverageReports, producers, products }),
    imports: createImportService({ table, repos, coverage, keyring, cursors, blobs: opts.blobs, runner: opts.runner, commit }),
    targets: repos.targets,
    users: createUserService({ users: repos.users, producers: repos.producers, audit: repos.audit, identity, cursors, commit, onChanged: principals.forget }),
    onboarding: createOnboardingService({
      accounts: repos.accounts,
      listings: repos.listings,
      audit: repos.audit,
      commit,
      visibleProducer: producers.getVisible,
      visibleProduct: products.getVisible,
      producers: repos.producers,
      products: repos.products,
      coverage,
    }),
  };
}
export type Services = ReturnType<typeof composeServices>;
