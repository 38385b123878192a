import { beforeEach, describe, expect, it } from 'vitest';
import { installMemoryStorage } from '#test/support/memory-storage.ts';

const store = installMemoryStorage();
const { clearSession, freshToken, loadSession, renewalPending, saveSession, SessionEndedError, setSessionRenewer } = await import('../../web/src/core/session.ts');

const user = { id: 'u1', username: 'canbo', role: 'officer' as const };
const past = () => new Date(Date.now() - 1000).toISOString();
const later = () => new Date(Date.now() + 3600_000).toISOString();

describe('renewing a Cognito session', () => {
  beforeEach(() => store.clear());

  it('sends the current token while it has more than a minute left, and renews it after', async () => {
    let renewals = 0;
    setSessionRenewer(async () => (renewals++, { accessToken: 'new', expiresAt: later() }));
    saveSession({ token: 'old', expiresAt: later(), refreshToken: 'r1', user });
    expect(await freshToken()).toBe('old');
    saveSession({ token: 'old', expiresAt: past(), refreshToken: 'r1', user });
    expect(await Promise.all([freshToken(), freshToken(), freshToken()])).toEqual(['new', 'new', 'new']);
    expect(renewals).toBe(1);
    expect(loadSession()).toMatchObject({ token: 'new', refreshToken: 'r1' });
  });

  it('keeps the session and its token when the renewal could not happen (offline, Cognito busy)', async () => {
    setSessionRenewer(async () => Promise.reject(new Error('offline')));
    saveSession({ token: 'old', expiresAt: past(), refreshToken: 'r1', user });
    expect(await freshToken()).toBe('old');
    expect(loadSession()).toMatchObject({ token: 'old' });
    expect(renewalPending()).toBe(true);
  });

  it('ends the session when the renewal is refused', async () => {
    setSessionRenewer(async () => Promise.reject(new SessionEndedError()));
    saveSession({ token: 'old', expiresAt: past(), refreshToken: 'r1', user });
    await expect(freshToken()).rejects.toBeInstanceOf(SessionEndedError);
  });

  it('does not bring back a session signed out (or replaced by another user’s) while its renewal was under way', async () => {
    setSessionRenewer(async () => {
      clearSession();
      return { accessToken: 'new', expiresAt: later() };
    });
    saveSession({ token: 'old', expiresAt: past(), refreshToken: 'r1', user });
    await expect(freshToken()).rejects.toBeInstanceOf(SessionEndedError);
    expect(loadSession()).toBeNull();

    setSessionRenewer(async () => {
      saveSession({ token: 'other', expiresAt: later(), refreshToken: 'r2', user: { ...user, username: 'someone-else' } });
      return { accessToken: 'new', expiresAt: later() };
    });
    saveSession({ token: 'old', expiresAt: past(), refreshToken: 'r1', user });
    await expect(freshToken()).rejects.toBeInstanceOf(SessionEndedError);
    expect(loadSession()).toMatchObject({ token: 'other', user: { username: 'someone-else' } });
  });
});
