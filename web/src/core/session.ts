import type { Me, Session } from './types.ts';

const KEY = 'ocop.session';

/** The signed-in session, remembered in localStorage until it expires or the user signs out. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || Date.parse(s.expiresAt) <= Date.now()) return null;
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

export function token(): string | null {
  return loadSession()?.token ?? null;
}
