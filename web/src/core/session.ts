import type { Me, Session } from './types.ts';

const KEY = 'ocop.session';
/** Renew this long before the access token runs out, so a request never leaves with one about to expire. */
const RENEW_BEFORE_MS = 60_000;

/**
 * The signed-in session, remembered in localStorage until it expires or the user signs out.
 * A Cognito session carries a refresh token and outlives its hour-long access token: the
 * token is renewed before a request needs it (see `freshToken`).
 */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || (!s.refreshToken && Date.parse(s.expiresAt) <= Date.now())) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function updateUser(user: Me): void {
  const s = loadSession();
  if (s) saveSession({ ...s, user });
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

type Renewed = { accessToken: string; refreshToken?: string; expiresAt: string };

/** The identity provider refused to renew the session (revoked, signed out everywhere, user disabled): it is over. */
export class SessionEndedError extends Error {
  constructor() {
    super('The session has ended');
    this.name = 'SessionEndedError';
  }
}
let renew: ((refreshToken: string) => Promise<Renewed>) | null = null;
let renewing: Promise<string> | null = null;

/** Whether the session's access token has run out and still waits for a renewal that could not happen yet. */
export function renewalPending(): boolean {
  const s = loadSession();
  return !!s?.refreshToken && !!renew && Date.parse(s.expiresAt) <= Date.now();
}

/** How sessions with a refresh token are renewed (Cognito's REFRESH_TOKEN_AUTH in the cloud). */
export function setSessionRenewer(fn: (refreshToken: string) => Promise<Renewed>): void {
  renew = fn;
}

/**
 * The bearer token to send now, renewed first when it is about to expire (one renewal at a
 * time however many requests wait). Throws SessionEndedError when the renewal is refused; when
 * it merely could not happen (offline, Cognito busy), answers the token it has, which the
 * service worker's cached answers still serve and the API may still accept.
 */
export async function freshToken(): Promise<string | null> {
  const s = loadSession();
  if (!s) return null;
  if (!s.refreshToken || !renew || Date.parse(s.expiresAt) - Date.now() > RENEW_BEFORE_MS) return s.token;
  const refreshToken = s.refreshToken;
  renewing ??= renew(refreshToken)
    .then((t) => {
      // Signed out (or someone else signed in) while the renewal was under way: its result is not for this session.
      const latest = loadSession();
      if (latest?.refreshToken !== refreshToken) throw new SessionEndedError();
      saveSession({ ...latest, token: t.accessToken, expiresAt: t.expiresAt, refreshToken: t.refreshToken ?? refreshToken });
      return t.accessToken;
    })
    .catch((e: unknown) => {
      if (e instanceof SessionEndedError) throw e;
      return s.token;
    })
    .finally(() => (renewing = null));
  return renewing;
}
