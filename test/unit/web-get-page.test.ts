import { beforeEach, describe, expect, it } from 'vitest';
import { installMemoryStorage } from '#test/support/memory-storage.ts';

// web/src/core/api.ts's getPage: the cursor loop that fills one screen from a filtered list whose
// pages may come back short (the API reads a bounded part of the province per request). The API
// stands in as a list of pages served in order by cursor; the requests it got are recorded.
const store = installMemoryStorage();
const { getPage } = await import('../../web/src/core/api.ts');

let requests: URL[] = [];
/** `pages[i]` answers the request with cursor `c<i>` (none for the first); each page has that many items. */
function serve(pages: number[]) {
  requests = [];
  let next = 1;
  globalThis.fetch = (async (input: string, init?: RequestInit) => {
    // As a browser's fetch: an aborted signal rejects before anything is sent.
    init?.signal?.throwIfAborted();
    const url = new URL(input, 'http://app');
    requests.push(url);
    const at = url.searchParams.has('cursor') ? Number(url.searchParams.get('cursor')!.slice(1)) : 0;
    const limit = Number(url.searchParams.get('limit'));
    const items = Array.from({ length: Math.min(pages[at]!, limit) }, () => ({ n: next++ }));
    return new Response(JSON.stringify({ items, nextCursor: at + 1 < pages.length ? `c${at + 1}` : null }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('getPage: one screenful from a list whose pages may come back short', () => {
  beforeEach(() => store.clear());

  it('follows the cursor through short and empty pages until the screen is full, asking each time only for what is missing', async () => {
    serve([3, 0, 0, 4, 10, 10]);
    const page = await getPage<{ n: number }>('/producers', { q: 'an' }, { limit: 10 });
    expect(page.items.map((i) => i.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(requests.map((u) => [u.searchParams.get('cursor'), u.searchParams.get('limit')])).toEqual([
      [null, '10'],
      ['c1', '7'],
      ['c2', '7'],
      ['c3', '7'],
      ['c4', '3'],
    ]);
    expect(requests.every((u) => u.pathname === '/api/v1/producers' && u.searchParams.get('q') === 'an')).toBe(true);
    expect(page.nextCursor).toBe('c5');
  });

  it('stops where the list ends, with no cursor to go on', async () => {
    serve([2, 0, 1]);
    const page = await getPage('/products', {}, { limit: 25 });
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
    expect(requests).toHaveLength(3);
  });

  it('starts from the cursor it is given and stops after maxRequests with the cursor to go on', async () => {
    serve([5, 0, 0, 0, 0, 0, 0, 1]);
    const page = await getPage('/products', {}, { limit: 25, cursor: 'c1', maxRequests: 3 });
    expect(page.items).toEqual([]);
    expect(requests.map((u) => u.searchParams.get('cursor'))).toEqual(['c1', 'c2', 'c3']);
    expect(page.nextCursor).toBe('c4');
  });

  it('gives up when its screen is abandoned (the signal aborts), sending nothing more', async () => {
    serve([0, 0, 0, 0, 5]);
    const ctl = new AbortController();
    const sent = globalThis.fetch;
    globalThis.fetch = (async (input: string, init?: RequestInit) => {
      const res = await sent(input, init);
      if (requests.length === 2) ctl.abort(); // the officer typed on while the second page was coming
      return res;
    }) as typeof fetch;
    await expect(getPage('/producers', { q: 'x' }, { limit: 10, signal: ctl.signal })).rejects.toThrow();
    expect(requests).toHaveLength(2);
  });
});
