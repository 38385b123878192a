import type { Producer, ProducerCreate, ProducerListQuery, ProducerUpdate } from '#shared/schemas/producer.ts';
import { getCommune, isCurrentCommuneCode } from '#shared/admin-units/admin-units.ts';
import { normaliseName } from '#shared/text/normalise.ts';
import { ConflictError, NotFoundError, RaceError, ValidationError, retryOnRace } from '#functions/core/errors.ts';
import type { CoverageTracker } from './coverage-tracker.ts';
import { newId } from '#functions/core/ids.ts';
import type { Keyring } from '#functions/core/keyring.ts';
import type { AuditRepository } from '#functions/repositories/audit-repository.ts';
import type { CursorCodec } from '#functions/repositories/cursor.ts';
import type { ProducerRecord, ProducerRepository } from '#functions/repositories/producer-repository.ts';
import type { ProductRecord, ProductRepository } from '#functions/repositories/product-repository.ts';
import { MAX_TRANSACTION_ITEMS, transact, type Partition, type Table, type TxOp } from '#functions/repositories/table.ts';
import { assertCommuneInScope, assertMayWriteRecords, assertRole, assertVisible, canSee, maskPhone, scopeKey, seesPersonalData, type Principal } from './principal.ts';
import type { AccountRepository, ListingRepository } from '#functions/repositories/onboarding-repository.ts';
import type { DuplicateKeyRepository, DuplicateKeys, DuplicateKind } from '#functions/repositories/duplicate-key-repository.ts';
import type { Account, DuplicateMatch } from '#shared/schemas/onboarding.ts';
import { accountStatuses, producerReadinessChanged } from '#shared/onboarding-rules.ts';
import { CITIZEN_ID_PATTERN, PHONE_PATTERN, TAX_CODE_PATTERN, normalisePhone, normaliseTaxCode, numberSearch } from '#shared/contact-rules.ts';

type MergeInput = { sourceId: string; version: number; sourceVersion?: number };
import type { Committer, WriteContext } from './write-context.ts';
import { applyPatch } from './patch.ts';
import { productView } from './product-service.ts';
import { applyUserChange, userView } from './user-rules.ts';
import type { UserRepository } from '#functions/repositories/user-repository.ts';

/**
 * A producer moves with its products in one transaction; DynamoDB allows 100 items in one. Each
 * product takes at least one (its write; its audit event too when what it shows changes), and the
 * producer, its event and at least one key or counter take 3: above this many products the move is
 * refused without reading them; below it, the transaction's actual size, counted before writing, decides.
 */
const MAX_PRODUCTS_TO_MOVE = MAX_TRANSACTION_ITEMS - 3;

/**
 * A merge moves the source's products in one transaction: as for a move, with both producers,
 * their events and a key of the source taking 5 items; listings, accounts, users and counters
 * take their share of what the actual size check counts.
 */
const MAX_PRODUCTS_TO_MERGE = MAX_TRANSACTION_ITEMS - 5;

/** How long a producer's user count must have stood still before the reconciliation may lower it: far longer than the user index lags a bind. */
const USER_COUNT_SETTLED_MS = 15 * 60_000;

export function assertKnownCommune(code: string, path = 'communeCode'): void {
  if (!isCurrentCommuneCode(code)) throw new ValidationError([{ path, message: `${code} is not a current commune code of this province` }], 'Unknown commune');
}

/** The producer as the caller may see it: personal data masked for roles that do not need it. */
export function producerView(r: ProducerRecord, viewer: Principal): Producer {
  const personal = seesPersonalData(viewer);
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    representative: r.representative,
    phone: r.phone && (personal ? r.phone : maskPhone(r.phone)),
    taxCode: r.taxCode,
    citizenIdLast4: r.citizenIdLast4,
    communeCode: r.communeCode,
    communeName: getCommune(r.communeCode)?.fullName ?? r.communeCode,
    address: r.address,
    location: r.location,
    legalBasis: r.legalBasis,
    trainingDate: r.trainingDate,
    productCount: r.productCount,
    accountMarketplaces: r.accountMarketplaces,
    liveCounts: r.liveCounts,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** What the audit trail keeps of a producer: no phone in clear, no citizen-ID hash. */
function auditView(r: ProducerRecord): Record<string, unknown> {
  const { citizenIdHash: _hash, searchName: _sn, phone, ...rest } = r;
  return { ...rest, ...(phone ? { phone: maskPhone(phone) } : {}) };
}

type Deps = {
  producers: ProducerRepository;
  products: ProductRepository;
  accounts: AccountRepository;
  listings: ListingRepository;
  duplicateKeys: DuplicateKeyRepository;
  /** Cooperative users, whose scope is one producer: a merge moves them, a delete waits for them to go. */
  users: UserRepository;
  coverage: CoverageTracker;
  audit: AuditRepository;
  keyring: Keyring;
  cursors: CursorCodec;
  commit: Committer;
  /** For the reconciliation's repairs, which are no user's request. */
  table: Table;
  /** Called after a user's scope changed, so this process stops trusting what it cached. */
  onUserChanged?: (id: string) => void;
};

/** What is kept of a citizen ID: its keyed hash (for duplicate checks) and its last 4 digits, never the number. */
export type KeptCitizenId = Partial<Pick<ProducerRecord, 'citizenIdHash' | 'citizenIdLast4'>>;

export function keptCitizenId(keyring: Keyring, citizenId: string): Required<KeptCitizenId> {
  return { citizenIdHash: keyring.hashCitizenId(citizenId), citizenIdLast4: citizenId.slice(-4) };
}

/**
 * A producer as first stored: derived fields set, the citizen ID reduced to its hash and last 4
 * digits (or given already reduced, as an import's dry run keeps it).
 */
export function newProducerRecord(input: ProducerCreate & KeptCitizenId, meta: { id: string; at: string; actor: Principal; keyring: Keyring }): ProducerRecord {
  const { citizenId, confirmDistinct: _confirm, ...fields } = input;
  return {
    ...fields,
    id: meta.id,
    searchName: normaliseName(input.name),
    ...(citizenId ? keptCitizenId(meta.keyring, citizenId) : {}),
    productCount: 0,
    accountMarketplaces: [],
    liveCounts: {},
    covRev: 0,
    userCount: 0,
    version: 1,
    createdAt: meta.at,
    updatedAt: meta.at,
    createdBy: meta.actor.sub,
    updatedBy: meta.actor.sub,
  };
}

/**
 * What a search made only of digits (and the separators people type: spaces, dots, dashes, +)
 * may be: a phone number, a tax code, a citizen ID — each key it fits, for an exact lookup.
 * Phone numbers and citizen IDs only for callers who see personal data: the department, which
 * sees phones masked, cannot find a producer by one either. Undefined when `q` is not a number.
 */
export function numberSearchKeys(q: string, opts: { personal: boolean; hashCitizenId: (id: string) => string }): DuplicateKeys | undefined {
  const compact = numberSearch(q);
  if (!compact) return undefined;
  const keys: DuplicateKeys = {};
  const phone = normalisePhone(compact);
  if (opts.personal && PHONE_PATTERN.test(phone)) keys.phone = phone;
  if (TAX_CODE_PATTERN.test(compact)) keys.taxCode = normaliseTaxCode(compact);
  if (opts.personal && CITIZEN_ID_PATTERN.test(compact)) keys.citizenId = opts.hashCitizenId(compact);
  return keys;
}

/** What a producer is matched on for duplicates: phone, tax code, citizen-ID hash, name within its commune. */
export function duplicateKeysOf(r: Pick<ProducerRecord, 'phone' | 'taxCode' | 'citizenIdHash' | 'communeCode' | 'searchName'>): DuplicateKeys {
  return { phone: r.phone, taxCode: r.taxCode, citizenId: r.citizenIdHash, name: `${r.communeCode}#${r.searchName}` };
}


export function createProducerService(deps: Deps) {
  const { producers, products, accounts, listings, duplicateKeys, users, coverage, audit, keyring, cursors, commit, onUserChanged } = deps;

  async function getVisible(principal: Principal, id: string, opts: { consistent?: boolean } = {}): Promise<ProducerRecord> {
    const r = await producers.get(id, opts);
    if (!r) throw new NotFoundError('Producer');
    assertVisible(principal, { communeCode: r.communeCode, producerId: r.id }, 'Producer');
    return r;
  }

  /**
   * A product rewritten because its producer changed (moved, merged, its readiness moved): the
   * write, and its audit event when what the product shows changed.
   */
  function productFollowsOps(before: ProductRecord, after: ProductRecord, actor: Principal, at: string): TxOp[] {
    const write = products.derivedOp(before, { communeCode: after.communeCode, producerId: after.producerId, readyMarketplaces: after.readyMarketplaces });
    const [was, is] = [productView(before), productView(after)];
    if (JSON.stringify(was) === JSON.stringify(is)) return [write];
    return [write, audit.recordOp({ entityType: 'product', entityId: before.id, action: 'update', actor, at, before: was, after: is })];
  }

  /** A seller account's audit event, written with a change a producer's merge or delete made to it. */
  function accountEventOp(producerId: string, before: Account | null, after: Account | null, actor: Principal, at: string): TxOp {
    const marketplace = (before ?? after)!.marketplace;
    return audit.recordOp({ entityType: 'account', entityId: `${producerId}#${marketplace}`, action: !before ? 'create' : after ? 'update' : 'delete', actor, at, before, after });
  }

  function partitionsFor(principal: Principal, communeCode?: string): Partition[] {
    if (principal.role === 'cooperative') return [];
    if (communeCode) {
      assertCommuneInScope(principal, communeCode);
      return [producers.communePartition(communeCode)];
    }
    if (principal.role === 'officer') return [...principal.communes].sort().map(producers.communePartition);
    return [producers.provincePartition];
  }

  return {
    async create(ctx: WriteContext, input: ProducerCreate): Promise<Producer> {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      assertRole(principal, 'admin', 'officer');
      assertKnownCommune(input.communeCode);
      assertCommuneInScope(principal, input.communeCode);
      const now = new Date().toISOString();
      const { confirmDistinct } = input;
      const record = newProducerRecord(input, { id: newId(), at: now, actor: principal, keyring });
      const keys = duplicateKeysOf(record);
      if (!confirmDistinct) {
        const matches = await describeMatches(principal, await duplicateKeys.findMatches(keys));
        if (matches.length) throw new ConflictError('DUPLICATE_PRODUCER', 'This producer looks like one already registered; check the matches or confirm it is distinct', { matches });
      }
      const view = producerView(record, principal);
      await commit(
        ctx,
        [
          producers.createOp(record),
          ...duplicateKeys.putOps(record.id, keys),
          ...coverage.ops({ producers: [[undefined, record]] }),
          audit.recordOp({ entityType: 'producer', entityId: record.id, action: 'create', actor: principal, at: now, before: null, after: auditView(record) }),
        ],
        { status: 201, body: view },
      );
      return view;
    },

    async get(principal: Principal, id: string): Promise<Producer> {
      return producerView(await getVisible(principal, id), principal);
    },

    /**
     * Producers in scope, a page at a time, by commune and a loose name search; a search that is
     * a number (phone, tax code, citizen ID) is looked up exactly instead, in one page.
     */
    async list(principal: Principal, query: ProducerListQuery, page: { limit: number; cursor?: string }) {
      // Checked on every path: the one-page answers (a number, a cooperative's own) give no cursor, so none is theirs.
      const binding = `producers|${principal.sub}|${scopeKey(principal)}|${query.communeCode ?? ''}|${query.q ?? ''}`;
      const start = cursors.decode(page.cursor, binding);
      const numberKeys = query.q ? numberSearchKeys(query.q, { personal: seesPersonalData(principal), hashCitizenId: (id) => keyring.hashCitizenId(id) }) : undefined;
      if (numberKeys) {
        if (query.communeCode) assertCommuneInScope(principal, query.communeCode);
        const ids = [...(await duplicateKeys.findMatches(numberKeys)).keys()];
        const found = [...(await producers.getMany(ids)).values()]
          .filter((r) => canSee(principal, { communeCode: r.communeCode, producerId: r.id }) && (!query.communeCode || r.communeCode === query.communeCode))
          .sort((a, b) => a.searchName.localeCompare(b.searchName));
        return { items: found.map((r) => producerView(r, principal)), nextCursor: null };
      }
      if (principal.role === 'cooperative') {
        const own = principal.producerId ? await producers.get(principal.producerId) : undefined;
        const matches = own && (!query.communeCode || own.communeCode === query.communeCode) && (!query.q || own.searchName.includes(normaliseName(query.q)));
        return { items: matches ? [producerView(own, principal)] : [], nextCursor: null };
      }
      const result = await producers.list(partitionsFor(principal, query.communeCode), { limit: page.limit, start, nameQuery: query.q ? normaliseName(query.q) : undefined });
      return { items: result.items.map((r) => producerView(r, principal)), nextCursor: cursors.encode(result.next, binding) };
    },

    update: (ctx: WriteContext, id: string, patch: ProducerUpdate) => retryOnRace(async (): Promise<Producer> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      const current = await getVisible(principal, id);
      if (patch.communeCode && patch.communeCode !== current.communeCode) {
        assertRole(principal, 'admin', 'officer');
        assertKnownCommune(patch.communeCode);
        assertCommuneInScope(principal, patch.communeCode);
      }
      const { version, citizenId, ...changes } = patch;
      const now = new Date().toISOString();
      const next = applyPatch(current, changes);
      if (citizenId === null) {
        delete next.citizenIdHash;
        delete next.citizenIdLast4;
      } else if (citizenId) Object.assign(next, keptCitizenId(keyring, citizenId));
      Object.assign(next, { searchName: normaliseName(next.name), version: current.version + 1, updatedAt: now, updatedBy: principal.sub });

      const ops = [
        producers.replaceOp(next, current, version),
        ...duplicateKeys.changeOps(id, duplicateKeysOf(current), duplicateKeysOf(next)),
        audit.recordOp({ entityType: 'producer', entityId: id, action: 'update', actor: principal, at: now, before: auditView(current), after: auditView(next) }),
      ];
      // Its products carry its commune, and their readiness sees whether it has a phone and tax code.
      const productsChange = next.communeCode !== current.communeCode || producerReadinessChanged(current, next);
      const productPairs: [ProductRecord, ProductRecord][] = [];
      if (productsChange && current.productCount > 0) {
        if (current.productCount > MAX_PRODUCTS_TO_MOVE) throw new ConflictError('TOO_MANY_PRODUCTS_TO_MOVE', `A producer with more than ${MAX_PRODUCTS_TO_MOVE} products cannot change commune, or gain or lose its phone or tax code, in one step`);
        const owned = await products.listAllOfProducer(id, MAX_PRODUCTS_TO_MOVE + 1);
        // The list comes from an index that may lag a product created a moment ago: read again until it is whole.
        if (owned.length !== current.productCount) throw new RaceError();
        for (const p of owned) {
          const after = { ...p, communeCode: next.communeCode, readyMarketplaces: await coverage.readyMarketplaces(p, next) };
          productPairs.push([p, after]);
          ops.push(...productFollowsOps(p, after, principal, now));
        }
      }
      ops.push(...coverage.ops({ producers: [[current, next]], products: productPairs }));
      // One transaction holds it all (its products and their events, their counters, the idempotency
      // record): refuse before writing what DynamoDB would refuse.
      if (ops.length + (ctx.idempotency ? 1 : 0) > MAX_TRANSACTION_ITEMS) throw new ConflictError('TOO_MANY_PRODUCTS_TO_MOVE', `This change would rewrite ${current.productCount} products with their audit events and counters, more than the ${MAX_TRANSACTION_ITEMS} records one step can write`);
      const view = producerView(next, principal);
      await commit(ctx, ops, { status: 200, body: view });
      return view;
    }),

    remove: (ctx: WriteContext, id: string) => retryOnRace(async (): Promise<void> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      const current = await getVisible(principal, id, { consistent: true });
      assertRole(principal, 'admin', 'officer');
      // A cooperative user left bound to a producer that is gone could reach nothing. The delete is
      // conditioned on the count read here: a user bound meanwhile makes it judge again.
      const userCount = await users.boundCount(current);
      if (userCount) throw new ConflictError('PRODUCER_HAS_USERS', 'User accounts are bound to this producer: an administrator must bind them to another producer or give them another role first', { userCount });
      const now = new Date().toISOString();
      const owned = await accounts.listForProducer(id);
      await commit(
        ctx,
        [
          producers.deleteOp(current),
          ...coverage.ops({ producers: [[current, undefined]] }),
          ...duplicateKeys.deleteOps(id, duplicateKeysOf(current)),
          ...owned.flatMap((a) => [accounts.deleteOp(id, a.marketplace), accountEventOp(id, a, null, principal, now)]),
          audit.recordOp({ entityType: 'producer', entityId: id, action: 'delete', actor: principal, at: now, before: auditView(current), after: null }),
        ],
        { status: 204, body: null },
      );
    }),

    /**
     * Likely duplicates of a producer (same phone, tax code, citizen-ID hash, or name in its commune);
     * each in scope with its cooperative users, which a merge binds to the producer kept.
     */
    async duplicates(principal: Principal, id: string): Promise<DuplicateMatch[]> {
      const current = await getVisible(principal, id);
      const found = await duplicateKeys.findMatches(duplicateKeysOf(current));
      found.delete(id);
      return describeMatches(principal, found, { withUsers: true });
    },

    /**
     * Merges `sourceId` into producer `id`: products (with their listings) and seller
     * accounts move to the survivor, keeping the further-along account where both have one;
     * the source is deleted, and the cooperative users bound to it are bound to the survivor; both
     * audit trails record the merge, and every product, listing, account and user it changes
     * records its own change. One transaction.
     */
    merge: (ctx: WriteContext, id: string, input: MergeInput) => retryOnRace(async (): Promise<Producer> => {
      const { principal } = ctx;
      assertMayWriteRecords(principal);
      assertRole(principal, 'admin', 'officer');
      if (input.sourceId === id) throw new ValidationError([{ path: 'sourceId', message: 'a producer cannot be merged into itself' }]);
      const [target, source] = await Promise.all([getVisible(principal, id, { consistent: true }), getVisible(principal, input.sourceId, { consistent: true })]);
      if (source.productCount > MAX_PRODUCTS_TO_MERGE) throw new ConflictError('MERGE_TOO_LARGE', `A merge carries at most ${MAX_PRODUCTS_TO_MERGE} products in one step; this one would carry ${source.productCount}`);
      const [sourceProducts, sourceAccounts, targetAccounts, sourceUsers] = await Promise.all([
        products.listAllOfProducer(source.id, MAX_PRODUCTS_TO_MERGE + 1),
        accounts.listForProducer(source.id),
        accounts.listForProducer(target.id),
        source.userCount === 0 ? [] : users.boundToProducer(source.id),
      ]);
      // The lists come from indexes that may lag a product or user added a moment ago: read again until they are whole.
      if (sourceProducts.length !== source.productCount) throw new RaceError();
      if (source.userCount !== undefined && sourceUsers.length !== source.userCount) throw new RaceError();
      // Moving a cooperative login onto another producer widens what it sees (that producer's
      // phone, address, …): binding users is the administrator's call, so only an administrator's
      // merge carries them.
      if (sourceUsers.length && principal.role !== 'admin') throw new ConflictError('PRODUCER_HAS_USERS', `${sourceUsers.length} cooperative user account(s) belong to the producer being merged away; an administrator merges it (the accounts then belong to the producer kept), or moves or removes those accounts first`, { userCount: sourceUsers.length });
      const now = new Date().toISOString();
      const liveCounts = { ...target.liveCounts };
      for (const [m, n] of Object.entries(source.liveCounts)) liveCounts[m] = (liveCounts[m] ?? 0) + n;
      const next: ProducerRecord = {
        ...target,
        productCount: target.productCount + sourceProducts.length,
        // The users it gains are counted, from the count it keeps or (none kept yet) its user list.
        userCount: sourceUsers.length ? (await users.boundCount(target)) + sourceUsers.length : target.userCount,
        ...(sourceUsers.length ? { userCountAt: now } : {}),
        accountMarketplaces: [...new Set([...target.accountMarketplaces, ...source.accountMarketplaces])].sort(),
        liveCounts,
        version: target.version + 1,
        updatedAt: now,
        updatedBy: principal.sub,
      };
      const accountOps = sourceAccounts.flatMap((a) => {
        const existing = targetAccounts.find((t) => t.marketplace === a.marketplace);
        const moveIt = !existing || accountStatuses.indexOf(a.status) > accountStatuses.indexOf(existing.status);
        const moved = { ...a, producerId: target.id, version: (existing?.version ?? 0) + 1, updatedAt: now };
        const move = moveIt ? [accounts.putOp(moved, existing?.version), accountEventOp(target.id, existing ?? null, moved, principal, now)] : [];
        return [...move, accounts.deleteOp(source.id, a.marketplace), accountEventOp(source.id, a, null, principal, now)];
      });
      // Listings name their product's producer too: they move with the products.
      const sourceListings = (await Promise.all(sourceProducts.map((p) => listings.listForProduct(p.id)))).flat();
      const productPairs: [ProductRecord, ProductRecord][] = [];
      for (const p of sourceProducts) {
        productPairs.push([p, { ...p, communeCode: target.communeCode, producerId: target.id, readyMarketplaces: await coverage.readyMarketplaces(p, target) }]);
      }
      const movedUsers = sourceUsers.map((u) => [u, applyUserChange(u, { producerId: target.id })] as const);
      const ops = [
        producers.replaceOp(next, target, input.version),
        producers.deleteMergedOp(source, input.sourceVersion),
        ...productPairs.flatMap(([p, after]) => productFollowsOps(p, after, principal, now)),
        ...coverage.ops({ producers: [[target, next], [source, undefined]], products: productPairs }),
        ...accountOps,
        ...sourceListings.flatMap((l) => [
          listings.reassignOp(l, target.id),
          audit.recordOp({ entityType: 'listing', entityId: `${l.productId}#${l.marketplace}`, action: 'update', actor: principal, at: now, before: l, after: { ...l, producerId: target.id, version: l.version + 1 } }),
        ]),
        ...movedUsers.flatMap(([before, after]) => [
          // A user changed meanwhile: read it again and judge the merge again.
          { ...users.updateScopeOp(before, after), onConditionFailed: () => new RaceError() },
          audit.recordOp({ entityType: 'user', entityId: before.id, action: 'update', actor: principal, at: now, before: userView(before), after: userView(after) }),
        ]),
        ...duplicateKeys.deleteOps(source.id, duplicateKeysOf(source)),
        audit.recordOp({ entityType: 'producer', entityId: target.id, action: 'merge', actor: principal, at: now, before: auditView(target), after: { ...auditView(next), mergedFrom: source.id } }),
        audit.recordOp({ entityType: 'producer', entityId: source.id, action: 'merge', actor: principal, at: now, before: auditView(source), after: { mergedInto: target.id } }),
      ];
      if (ops.length + (ctx.idempotency ? 1 : 0) > MAX_TRANSACTION_ITEMS) throw new ConflictError('MERGE_TOO_LARGE', `This merge would write ${ops.length} records (products, listings, accounts and users with their audit events, counters), more than the ${MAX_TRANSACTION_ITEMS} one step can write`);
      const view = producerView(next, principal);
      await commit(ctx, ops, { status: 200, body: view });
      for (const [u] of movedUsers) onUserChanged?.(u.id);
      return view;
    }),

    getVisible,

    /**
     * Makes the user count a producer keeps say how many cooperative users are bound to it (the
     * reconciliation, for one its scan found off). The user list is read from an index that can
     * lag, which can only hide a user just bound, never add one: a count too low is set at once;
     * a count too high only when it has stood still longer than any such lag (a bind moves it,
     * and its time), so no user the index still hides can be the difference. Conditioned on the
     * count read, so a user bound or moved meanwhile wins and the next night judges again. True
     * when it wrote.
     */
    async repairUserCount(id: string, now = new Date()): Promise<boolean> {
      const current = await producers.get(id, { consistent: true });
      if (current?.userCount === undefined) return false;
      const bound = (await users.boundToProducer(id)).length;
      if (bound === current.userCount) return false;
      const settled = !current.userCountAt || now.getTime() - Date.parse(current.userCountAt) > USER_COUNT_SETTLED_MS;
      if (bound < current.userCount && !settled) return false;
      try {
        await transact(deps.table, [producers.userCountOp(current, bound)]);
        return true;
      } catch (e) {
        if (e instanceof RaceError || e instanceof NotFoundError) return false;
        throw e;
      }
    },
  };

  /** Matches as the caller may see them: name and id only for producers in scope. */
  async function describeMatches(principal: Principal, found: Map<string, DuplicateKind[]>, opts: { withUsers?: boolean } = {}): Promise<DuplicateMatch[]> {
    const records = await Promise.all([...found.keys()].map((pid) => producers.get(pid)));
    return Promise.all(
      records
        .filter((r): r is ProducerRecord => !!r)
        .map(async (r) => {
          const matchedOn = found.get(r.id)!;
          // Outside the caller's scope only the fact of a match is told, not where: otherwise any
          // phone number or citizen ID typed into the form would reveal its owner's commune.
          if (!canSee(principal, { communeCode: r.communeCode, producerId: r.id })) return { matchedOn };
          return { id: r.id, name: r.name, version: r.version, communeCode: r.communeCode, matchedOn, ...(opts.withUsers ? { userCount: await users.boundCount(r) } : {}) };
        }),
    );
  }
}
export type ProducerService = ReturnType<typeof createProducerService>;
