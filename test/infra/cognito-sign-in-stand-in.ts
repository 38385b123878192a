import { createHash, createHmac, getDiffieHellman, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The server half of Cognito's user sign-in, as the web app meets it (AWS JSON 1.1,
 * `AWSCognitoIdentityProviderService.*`): USER_SRP_AUTH with PASSWORD_VERIFIER, then MFA_SETUP
 * (AssociateSoftwareToken, VerifySoftwareToken) or SOFTWARE_TOKEN_MFA with TOTP codes,
 * NEW_PASSWORD_REQUIRED, REFRESH_TOKEN_AUTH, RevokeToken, and global sign-out.
 *
 * Written from the protocol, not from the web app's code: the SRP group comes from Node's own
 * RFC 3526 group 15 (the 3072-bit group RFC 5054 and Cognito use), so a wrong constant or step
 * in the client fails here as it would against Cognito.
 */

const N = BigInt(`0x${getDiffieHellman('modp15').getPrime('hex')}`);
const g = 2n;

function pad(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return Buffer.from(hex, 'hex');
}
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex')}`);
function powMod(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
  }
  return r;
}
const k = toBig(sha256(pad(N), pad(g)));

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Buffer): string {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  return (bits.match(/.{1,5}/g) ?? []).map((c) => BASE32[parseInt(c.padEnd(5, '0'), 2)]).join('');
}
function unbase32(text: string): Buffer {
  const bits = [...text.replace(/[\s=]/g, '').toUpperCase()].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
}

/** The RFC 6238 code (SHA-1, 30 s, 6 digits) an authenticator app shows for `secret` at `at`. */
export function totp(secret: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', unbase32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export type SignInUser = { sub: string; password?: string; enabled: boolean; totpSecret?: string; mustChangePassword?: boolean; attributes?: Record<string, string> };

type Session =
  | { step: 'PASSWORD_VERIFIER'; username: string; A: bigint; b: bigint; B: bigint; salt: string; secretBlock: string }
  | { step: 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA' | 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP_VERIFIED'; username: string; pendingSecret?: string };

type Reply = { status: 200; body: unknown } | { status: 400; type: string; message: string };
const ok = (body: unknown): Reply => ({ status: 200, body });
const refuse = (type: string, message: string): Reply => ({ status: 400, type, message });

export function createCognitoSignIn(opts: {
  userPoolId: string;
  clientId: string;
  users: Map<string, SignInUser>;
  signAccessToken: (sub: string, username: string) => Promise<string>;
}) {
  const poolName = opts.userPoolId.split('_')[1]!;
  const sessions = new Map<string, Session>();
  const refreshTokens = new Map<string, string>();
  /** What the password step received, so a test can prove the password itself never arrived. */
  const received: string[] = [];

  const newSession = (s: Session) => {
    const id = randomBytes(48).toString('base64');
    sessions.set(id, s);
    return id;
  };
  const wrong = () => refuse('NotAuthorizedException', 'Incorrect username or password.');

  async function signedIn(username: string): Promise<Reply> {
    const user = opts.users.get(username)!;
    const refreshToken = randomUUID();
    refreshTokens.set(refreshToken, username);
    return ok({ AuthenticationResult: { AccessToken: await opts.signAccessToken(user.sub, username), ExpiresIn: 3600, TokenType: 'Bearer', RefreshToken: refreshToken, IdToken: 'not-used' }, ChallengeParameters: {} });
  }
  function afterPassword(username: string): Reply | Promise<Reply> {
    const user = opts.users.get(username)!;
    const step = user.mustChangePassword ? 'NEW_PASSWORD_REQUIRED' : user.totpSecret ? 'SOFTWARE_TOKEN_MFA' : 'MFA_SETUP';
    return ok({ ChallengeName: step, Session: newSession({ step, username }), ChallengeParameters: step === 'MFA_SETUP' ? { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } : {} });
  }

  /** Answers one sign-in operation, or `undefined` when `op` is not one of them. */
  async function handle(op: string, input: Record<string, any>): Promise<Reply | undefined> {
    if (!op.startsWith('Admin')) received.push(JSON.stringify(input));
    switch (op) {
      case 'InitiateAuth': {
        if (input.ClientId !== opts.clientId) return refuse('ResourceNotFoundException', 'User pool client does not exist.');
        if (input.AuthFlow === 'REFRESH_TOKEN_AUTH') {
          const username = refreshTokens.get(String(input.AuthParameters?.REFRESH_TOKEN));
          const user = username ? opts.users.get(username) : undefined;
          if (!username || !user?.enabled) return refuse('NotAuthorizedException', 'Refresh Token has been revoked');
          return ok({ AuthenticationResult: { AccessToken: await opts.signAccessToken(user.sub, username), ExpiresIn: 3600, TokenType: 'Bearer', IdToken: 'not-used' }, ChallengeParameters: {} });
        }
        if (input.AuthFlow !== 'USER_SRP_AUTH') return refuse('InvalidParameterException', `Auth flow not enabled for this client: ${input.AuthFlow}`);
        // The pool signs in by username or by verified email; SRP then names the user by its username.
        const typed = String(input.AuthParameters?.USERNAME ?? '').toLowerCase();
        const username = opts.users.has(typed) ? typed : ([...opts.users].find(([, u]) => u.attributes?.email === typed && u.attributes?.email_verified === 'true')?.[0] ?? typed);
        const user = opts.users.get(username);
        const A = BigInt(`0x${input.AuthParameters?.SRP_A}`);
        if (A % N === 0n) return refuse('InvalidParameterException', 'SRP_A is invalid');
        if (!user?.enabled || !user.password) return wrong();
        const salt = randomBytes(16).toString('hex');
        const b = toBig(randomBytes(128));
        const v = powMod(g, verifierX(salt, username, user.password), N);
        const B = (k * v + powMod(g, b, N)) % N;
        const secretBlock = randomBytes(64).toString('base64');
        const session = newSession({ step: 'PASSWORD_VERIFIER', username, A, b, B, salt, secretBlock });
        return ok({ ChallengeName: 'PASSWORD_VERIFIER', Session: session, ChallengeParameters: { SALT: salt, SRP_B: B.toString(16), SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: username, USERNAME: username } });
      }
      case 'RespondToAuthChallenge': {
        if (input.ClientId !== opts.clientId) return refuse('ResourceNotFoundException', 'User pool client does not exist.');
        const session = sessions.get(String(input.Session));
        const r = (input.ChallengeResponses ?? {}) as Record<string, string>;
        if (!session || session.username !== String(r.USERNAME).toLowerCase()) return refuse('NotAuthorizedException', 'Invalid session for the user.');
        const user = opts.users.get(session.username)!;
        if (input.ChallengeName !== session.step && !(input.ChallengeName === 'MFA_SETUP' && session.step === 'MFA_SETUP_VERIFIED')) return refuse('InvalidParameterException', 'Unexpected challenge');
        switch (session.step) {
          case 'PASSWORD_VERIFIER': {
            sessions.delete(String(input.Session));
            const u = toBig(sha256(pad(session.A), pad(session.B)));
            const v = powMod(g, verifierX(session.salt, session.username, user.password!), N);
            const S = powMod((session.A * powMod(v, u, N)) % N, session.b, N);
            const prk = createHmac('sha256', pad(u)).update(pad(S)).digest();
            const key = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.from([1])])).digest().subarray(0, 16);
            if (!/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$/.test(r.TIMESTAMP ?? '')) return refuse('InvalidParameterException', 'TIMESTAMP format is invalid');
            if (r.PASSWORD_CLAIM_SECRET_BLOCK !== session.secretBlock) return wrong();
            const expected = createHmac('sha256', key)
              .update(Buffer.concat([Buffer.from(poolName), Buffer.from(session.username), Buffer.from(session.secretBlock, 'base64'), Buffer.from(r.TIMESTAMP!)]))
              .digest();
            const claimed = Buffer.from(r.PASSWORD_CLAIM_SIGNATURE ?? '', 'base64');
            if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) return wrong();
            return afterPassword(session.username);
          }
          case 'NEW_PASSWORD_REQUIRED':
            if (!r.NEW_PASSWORD || r.NEW_PASSWORD.length < 12) return refuse('InvalidPasswordException', 'Password does not conform to policy');
            sessions.delete(String(input.Session));
            user.password = r.NEW_PASSWORD;
            user.mustChangePassword = false;
            return afterPassword(session.username);
          case 'SOFTWARE_TOKEN_MFA':
            if (!validCode(user.totpSecret!, r.SOFTWARE_TOKEN_MFA_CODE)) return refuse('CodeMismatchException', 'Invalid code received for user');
            sessions.delete(String(input.Session));
            return signedIn(session.username);
          case 'MFA_SETUP_VERIFIED':
            sessions.delete(String(input.Session));
            return signedIn(session.username);
          default:
            return refuse('NotAuthorizedException', 'Invalid session for the user.');
        }
      }
      case 'AssociateSoftwareToken': {
        const session = sessions.get(String(input.Session));
        if (!session || session.step !== 'MFA_SETUP') return refuse('NotAuthorizedException', 'Invalid session for the user.');
        sessions.delete(String(input.Session));
        const secret = base32(randomBytes(20));
        return ok({ SecretCode: secret, Session: newSession({ step: 'MFA_SETUP', username: session.username, pendingSecret: secret }) });
      }
      case 'VerifySoftwareToken': {
        const session = sessions.get(String(input.Session));
        if (!session || session.step !== 'MFA_SETUP' || !session.pendingSecret) return refuse('NotAuthorizedException', 'Invalid session for the user.');
        if (!validCode(session.pendingSecret, input.UserCode)) return refuse('EnableSoftwareTokenMFAException', 'Code mismatch');
        sessions.delete(String(input.Session));
        opts.users.get(session.username)!.totpSecret = session.pendingSecret;
        return ok({ Status: 'SUCCESS', Session: newSession({ step: 'MFA_SETUP_VERIFIED', username: session.username }) });
      }
      case 'RevokeToken':
        refreshTokens.delete(String(input.Token));
        return ok({});
      default:
        return undefined;
    }
  }

  function verifierX(salt: string, username: string, password: string): bigint {
    const inner = sha256(Buffer.from(`${poolName}${username}:${password}`, 'utf8'));
    return toBig(sha256(pad(BigInt(`0x${salt}`)), inner));
  }
  function validCode(secret: string, code: unknown): boolean {
    return [-30_000, 0, 30_000].some((skew) => totp(secret, Date.now() + skew) === String(code));
  }

  return {
    handle,
    received,
    refreshTokens,
    /** AdminUserGlobalSignOut: every refresh token of the user stops working. */
    signOutEverywhere(username: string) {
      for (const [token, owner] of refreshTokens) if (owner === username) refreshTokens.delete(token);
    },
  };
}
