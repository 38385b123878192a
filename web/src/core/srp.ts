/**
 * The client half of Cognito's SRP sign-in (USER_SRP_AUTH): the password never leaves the
 * device. SRP-6a over the 3072-bit group of RFC 5054 with SHA-256, as Cognito defines it:
 * k = H(N | g), u = H(A | B), x = H(salt | H(poolName | userId ":" password)),
 * S = (B − k·gˣ)^(a + u·x) mod N, key = HKDF(S, salt = u, info = "Caldera Derived Key")[0..16],
 * and the claim is HMAC(key, poolName | userId | secretBlock | timestamp). Numbers are hashed
 * in their shortest two's-complement byte form (`padHex`). Pure: WebCrypto and BigInt only,
 * so the same code runs in the browser and under Node in the tests.
 */

export const N = BigInt(
  '0x' +
    'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
);
export const g = 2n;

/** A non-negative integer as even-length hex, with a leading 00 when its top bit is set. */
export function padHex(n: bigint): string {
  if (n < 0n) throw new Error('padHex takes non-negative numbers');
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource)));
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data as BufferSource));
}

/** (base ^ exp) mod m, by squaring. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = ((base % m) + m) % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

const hashNumbers = async (...ns: bigint[]) => BigInt(`0x${await sha256Hex(hexToBytes(ns.map(padHex).join('')))}`);

/** Cognito's timestamp: "Sun Nov 2 01:05:09 UTC 2026" (day not padded, UTC). */
export function cognitoTimestamp(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** The client's secret `a` and public `A = gᵃ mod N` for one sign-in. */
export function srpStart(random: Uint8Array = crypto.getRandomValues(new Uint8Array(128))): { a: bigint; A: bigint } {
  const a = BigInt(`0x${bytesToHex(random)}`);
  return { a, A: modPow(g, a, N) };
}

export type PasswordVerifierChallenge = { SALT: string; SRP_B: string; SECRET_BLOCK: string; USER_ID_FOR_SRP: string };

/** The PASSWORD_VERIFIER answer: proves knowledge of the password without sending it. */
export async function passwordClaim(opts: { userPoolId: string; password: string; a: bigint; A: bigint; challenge: PasswordVerifierChallenge; now?: Date }) {
  const { a, A, challenge } = opts;
  const B = BigInt(`0x${challenge.SRP_B}`);
  if (B % N === 0n) throw new Error('The server sent an invalid SRP B');
  const u = await hashNumbers(A, B);
  if (u === 0n) throw new Error('The SRP exchange failed (u = 0)');
  const poolName = opts.userPoolId.split('_')[1] ?? '';
  const userId = challenge.USER_ID_FOR_SRP;
  const identityHash = await sha256Hex(utf8(`${poolName}${userId}:${opts.password}`));
  const x = BigInt(`0x${await sha256Hex(hexToBytes(padHex(BigInt(`0x${challenge.SALT}`)) + identityHash))}`);
  const k = await hashNumbers(N, g);
  const S = modPow(B - k * modPow(g, x, N), a + u * x, N);
  const prk = await hmacSha256(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const key = (await hmacSha256(prk, concat(utf8('Caldera Derived Key'), new Uint8Array([1])))).slice(0, 16);
  const timestamp = cognitoTimestamp(opts.now ?? new Date());
  const secretBlock = Uint8Array.from(atob(challenge.SECRET_BLOCK), (c) => c.charCodeAt(0));
  const signature = await hmacSha256(key, concat(utf8(poolName), utf8(userId), secretBlock, utf8(timestamp)));
  return {
    USERNAME: userId,
    PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: btoa(String.fromCharCode(...signature)),
  };
}
