/**
 * The one DynamoDB table: its physical shape, shared by the CDK stateful stack and the
 * local start-up (which creates the table on DynamoDB Local when it is missing).
 *
 * Single-table design. Every key begins with the province prefix `P#<provinceCode>#`, so a
 * second province is a data file, not a code change, and no partition spans provinces.
 *
 * | attribute | holds | access pattern it serves |
 * |---|---|---|
 * | PK / SK   | `P#38#PRODUCER#<id>` / `META`, `P#38#PRODUCT#<id>` / `META`, `P#38#USER#<sub>` / `META`, `P#38#USERNAME#<name>` / `META`, `P#38#AUDIT#<type>#<id>` / `<iso time>#<event id>`, `P#38#IDEM#<sub>#<key>` / `META` | get one entity by id; audit trail of one entity in time order; idempotency record of one caller's key |
 * | GSI1PK / GSI1SK | `P#38#C#<communeCode>#PRODUCER` (or `#PRODUCT`) / `<id>` | list producers or products of one commune (officers' scope is a set of communes) |
 * | GSI2PK / GSI2SK | `P#38#PRODUCER` (or `#PRODUCT`, `#USER`) / `<id>` | list a whole province (department, admin) |
 * | GSI3PK / GSI3SK | `P#38#PRODUCER#<producerId>#PRODUCTS` / `<productId>` | list the products of one producer (a cooperative's scope) |
 * | GSI4PK / GSI4SK | `P#38#CERT` / `<certificate expiry>#<productId>` (sparse: rated products only) | OCOP certificates expiring before a date |
 * | PK / SK (children) | `P#38#PRODUCER#<id>` / `ACCOUNT#<marketplace>`, `DUP#…`; `P#38#PRODUCT#<id>` / `LISTING#<marketplace>`, `LISTHIST#<marketplace>#<time>#<id>` | a producer's seller accounts, a product's listings and their history, in the parent's partition |
 * | PK / SK (duplicate keys) | `P#38#DUP#<phone|tax|cid|name>#<value>` / `<producerId>` | producers sharing a phone, tax code, citizen-ID hash, or normalised name in a commune |
 * | PK / SK (photos) | `P#38#PRODUCT#<id>` / `PHOTO#<photoId>` | a product's photos with status and variants |
 * | PK / SK (photo set) | `P#38#PRODUCT#<id>` / `PHOTOSET` | the revision every new photo moves on (two added at once cannot both pass the count) |
 * | PK / SK (administrators) | `P#38#ADMINSET` / `META` | the revision every change taking an administrator away moves on (two at once cannot leave none) |
 * | PK / SK (coverage) | `P#38#COVERAGE` / `M#<marketplace>#C#<commune>`; `P#38#COVSNAP` / `M#<marketplace>#<yyyy-mm>#C#<commune>` | maintained counters (a report is one query); month-end snapshots (a series is one key range) |
 * | PK / SK (targets, imports) | `P#38#TARGET` / `<indicator>#<marketplace>#<scope>#<period>`; `P#38#IMPORT#<id>` / `META`, `BATCH#<n>` | targets; import jobs and the batches whose counters were applied |
 * | GSI2 (more) | `P#38#DUPKEYS#<kind>` / `<value>#<producerId>`; `P#38#IMPORT` / `<status>#<id>` | every duplicate key of a kind (bulk imports); import jobs by status (resume at start) |
 * | GSI1 / GSI3 (imports) | `P#38#IMPORTS` / `<createdAt>#<id>`; `P#38#USER#<sub>#IMPORTS` / `<createdAt>#<id>` | every import, and one user's, newest first |
 * | expiresAt | epoch seconds | DynamoDB TTL: idempotency records expire after 7 days; pending and rejected photos |
 *
 * Ids are time-ordered (see `newId`), so every index sorts newest-last and pages are stable.
 */
export const tableDesign = {
  partitionKey: 'PK',
  sortKey: 'SK',
  timeToLiveAttribute: 'expiresAt',
  globalIndexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
    { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
  ],
} as const;

export type IndexName = (typeof tableDesign.globalIndexes)[number]['indexName'];
