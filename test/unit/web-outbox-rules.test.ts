import { describe, expect, it } from 'vitest';
import { classifyStatus, dependenciesOf, referencedEntries, refToken, resolvePlaceholders, retryDelayMs, sendable, versionToken, type RefValue, MAX_PHOTO_RESTARTS, photoLinkAction, UPLOAD_SETTLE_MS, givesUp, sendTimeoutMs, SERVER_FAILURE_PATIENCE_MS } from '../../web/src/core/outbox-rules.ts';

describe('outbox placeholders', () => {
  it('fills the id of a producer created offline into the product that refers to it', () => {
    const refs = new Map<string, RefValue>([['p1', { ref: 'p1', id: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D', version: 1 }]]);
    const body = { producerId: refToken('p1'), name: 'Bánh gai' };
    expect(resolvePlaceholders(body, refs)).toEqual({ value: { producerId: '01JD3Q0B9M2W7X8Y9Z0A1B2C3D', name: 'Bánh gai' }, missing: [] });
    expect(resolvePlaceholders(`/producers/${refToken('p1')}/accounts/voso`, refs).value).toBe('/producers/01JD3Q0B9M2W7X8Y9Z0A1B2C3D/accounts/voso');
  });

  it('fills a chained version as a number', () => {
    const refs = new Map<string, RefValue>([['l1', { ref: 'l1', version: 3 }]]);
    expect(resolvePlaceholders({ status: 'submitted', version: versionToken('l1') }, refs).value).toEqual({ status: 'submitted', version: 3 });
  });

  it('reports placeholders whose entry result is unknown and leaves the rest untouched', () => {
    const out = resolvePlaceholders({ producerId: refToken('gone'), name: 'x', n: 2, tags: ['a'] }, new Map());
    expect(out.missing).toEqual(['gone']);
    expect(out.value.name).toBe('x');
    expect(out.value.tags).toEqual(['a']);
  });

  it('finds every referenced entry in nested values', () => {
    expect([...referencedEntries({ a: [refToken('x')], b: { c: versionToken('y') }, d: 'plain' })].sort()).toEqual(['x', 'y']);
  });
});

describe('outbox ordering', () => {
  const queued = [
    { id: 'p1', resource: 'new:p1', state: 'pending' as const },
    { id: 'l1', resource: '/products/A/listings/voso', state: 'pending' as const },
  ];

  it('makes a write wait for the entry it refers to and for earlier writes to the same record', () => {
    expect(dependenciesOf({ path: '/products', body: { producerId: refToken('p1') }, resource: 'new:q' }, queued)).toEqual(['p1']);
    expect(dependenciesOf({ path: '/products/A/listings/voso', body: { status: 'live' }, resource: '/products/A/listings/voso' }, queued)).toEqual(['l1']);
    expect(dependenciesOf({ path: '/producers', body: {}, resource: 'new:z' }, queued)).toEqual([]);
  });

  it('does not make a change wait for a change of the same record the server refused, but still for a create it refers to', () => {
    const refused = [
      { id: 'p1', resource: 'new:p1', state: 'attention' as const },
      { id: 'l1', resource: '/products/A/listings/voso', state: 'attention' as const },
    ];
    expect(dependenciesOf({ path: '/products/A/listings/voso', body: { status: 'submitted' }, resource: '/products/A/listings/voso' }, refused)).toEqual([]);
    expect(dependenciesOf({ path: '/products', body: { producerId: refToken('p1') }, resource: 'new:q' }, refused)).toEqual(['p1']);
  });

  it('holds back entries that need attention and everything that depends on them, and nothing else', () => {
    const entries = [
      { id: 'a', resource: 'new:a', state: 'attention' as const, dependsOn: [] },
      { id: 'b', resource: 'new:b', state: 'pending' as const, dependsOn: ['a'] },
      { id: 'c', resource: 'x', state: 'pending' as const, dependsOn: ['b'] },
      { id: 'd', resource: 'new:d', state: 'pending' as const, dependsOn: [] },
    ];
    const { send, blocked } = sendable(entries);
    expect(send.map((e) => e.id)).toEqual(['d']);
    expect(blocked.map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('outbox outcomes', () => {
  it('retries transient failures, waits for sign-in on 401 and keeps refusals for the officer', () => {
    expect(classifyStatus(201)).toBe('done');
    expect(classifyStatus(200)).toBe('done');
    expect(classifyStatus(503)).toBe('retry');
    expect(classifyStatus(429)).toBe('retry');
    expect(classifyStatus(401)).toBe('auth');
    expect(classifyStatus(409)).toBe('attention');
    expect(classifyStatus(400)).toBe('attention');
    expect(classifyStatus(422)).toBe('attention');
  });

  it('backs off from 2 s up to a minute', () => {
    expect(retryDelayMs(1)).toBe(2000);
    expect(retryDelayMs(3)).toBe(8000);
    expect(retryDelayMs(50)).toBe(60_000);
  });
});

describe('outbox patience', () => {
  it('keeps retrying an entry the server fails for half an hour, then leaves it to the officer', () => {
    const since = Date.parse('2026-12-07T08:00:00Z');
    expect(givesUp(since, since + SERVER_FAILURE_PATIENCE_MS - 1)).toBe(false);
    expect(givesUp(since, since + SERVER_FAILURE_PATIENCE_MS)).toBe(true);
    expect(SERVER_FAILURE_PATIENCE_MS).toBe(30 * 60_000);
  });

  it('waits 30 s for an answer to a write, and for a photo longer the larger it is (≥ 25 kB/s)', () => {
    expect(sendTimeoutMs()).toBe(30_000);
    expect(sendTimeoutMs(1_000_000)).toBe(70_000);
  });
});

describe('photoLinkAction: what a queued photo does with the upload link it got', () => {
  const now = Date.parse('2026-11-22T08:00:00Z');
  const link = (over: Partial<Parameters<typeof photoLinkAction>[0]>) => photoLinkAction({ replayed: true, expiresAt: now - 3600_000, serverNow: now, photoStatus: 'processing', restarts: 0, ...over });

  it('uploads with a fresh link, and with a replayed one that is still valid by the server’s clock', () => {
    expect(link({ replayed: false, expiresAt: now - 1 })).toBe('upload');
    expect(link({ expiresAt: now + 60_000 })).toBe('upload');
  });
  it('is done when the expired link’s photo was made or refused: the first upload arrived', () => {
    expect(link({ photoStatus: 'ready' })).toBe('done');
    expect(link({ photoStatus: 'rejected' })).toBe('done');
  });
  it('waits while an upload on a just-expired link may still be in the pipeline', () => {
    expect(link({ expiresAt: now - 30_000 })).toBe('wait');
    expect(link({ expiresAt: now - UPLOAD_SETTLE_MS - 1 })).toBe('restart');
  });
  it('asks for a new link when the old one expired unused or its photo is gone, a few times at most', () => {
    expect(link({})).toBe('restart');
    expect(link({ photoStatus: undefined, expiresAt: now - 1000 })).toBe('restart');
    expect(link({ restarts: MAX_PHOTO_RESTARTS })).toBe('give-up');
  });
});
