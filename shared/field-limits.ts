/**
 * Bounds of the record fields people type, written once: the API's schemas enforce them and the
 * web app's forms apply them as they are typed (maxlength, minimum), so a form cannot send, or
 * queue offline, what the server will refuse.
 */
export const producerLimits = {
  name: 200,
  representative: 120,
  address: 300,
} as const;

export const productLimits = {
  name: 200,
  certificateNo: 60,
  unit: 30,
  description: 5000,
  priceVnd: { min: 0, max: 1_000_000_000 },
  weightGrams: { min: 1, max: 1_000_000 },
  shelfLifeDays: { min: 1, max: 3650 },
} as const;

/** User accounts (POST /users): a username is lower-cased before it is checked. */
export const userLimits = {
  username: { pattern: /^[a-z0-9][a-z0-9._-]{2,39}$/, max: 40 },
  password: { min: 8, max: 200 },
} as const;

/** Targets (PUT /targets): the value, how many targets the set may hold, and how many one PUT may add, change or remove (one transaction). */
export const targetLimits = {
  value: { min: 0, max: 10_000_000 },
  count: 100,
  changesPerPut: 100,
} as const;
