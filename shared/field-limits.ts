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
