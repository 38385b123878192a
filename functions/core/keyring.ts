import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Keys derived from one server secret, one per purpose, so a leaked cursor key never helps
 * reverse a citizen-ID hash.
 */
export type Keyring = {
  /** Keyed hash of a citizen ID, for duplicate checks without keeping the number. */
  hashCitizenId(citizenId: string): string;
  /** Signature of an opaque token (page cursors). */
  sign(data: string): string;
  verify(data: string, signature: string): boolean;
  /**
   * Keyed fingerprint of a request, kept with its Idempotency-Key to tell a retry from a reuse.
   * Keyed because request bodies carry passwords and citizen IDs: a plain hash of a body whose
   * other fields are on record would let anyone reading the table guess a 12-digit citizen ID.
   */
  fingerprint(request: string): string;
};

export function createKeyring(secret: Buffer | string): Keyring {
  const master = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, 32));
  const citizenKey = derive('citizen-id-hash/v1');
  const cursorKey = derive('cursor-signing/v1');
  const fingerprintKey = derive('request-fingerprint/v1');
  const mac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');
  return {
    hashCitizenId: (id) => mac(citizenKey, id),
    sign: (data) => mac(cursorKey, data),
    fingerprint: (request) => mac(fingerprintKey, request),
    verify: (data, signature) => {
      const expected = Buffer.from(mac(cursorKey, data));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
