/**
 * Reference data every screen needs: the 166 communes and the marketplace registry. Kept in
 * localStorage as well as the service worker's cache, so the pickers work offline.
 */
import { marketplaces as bundledMarketplaces } from '#shared/marketplaces.ts';
import { get, getOptional } from './api.ts';
import type { Commune, MarketplaceInfo } from './types.ts';

const COMMUNES_KEY = 'ocop.ref.communes.v1';
const MARKETS_KEY = 'ocop.ref.marketplaces.v1';

let communesPromise: Promise<Commune[]> | null = null;

function cached<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

/** Communes in the order people look for them: by name as Vietnamese sorts it ("An Nông" before "Bá Thước"), not by code. */
const byName = (list: Commune[]) => [...list].sort((a, b) => a.name.localeCompare(b.name, 'vi') || a.code.localeCompare(b.code));

/** The current communes, by name (from the API, else the last copy kept on this device). */
export function communes(): Promise<Commune[]> {
  communesPromise ??= (async () => {
    const local = cached<Commune[]>(COMMUNES_KEY);
    const fresh = get<{ items: Commune[] }>('/admin-units/communes')
      .then((r) => {
        localStorage.setItem(COMMUNES_KEY, JSON.stringify(r.items));
        return byName(r.items);
      })
      .catch((e) => {
        if (local) return local;
        communesPromise = null;
        throw e;
      });
    return local ? byName(local) : fresh;
  })();
  return communesPromise;
}

let communeIndex: Map<string, Commune> | null = null;

/** Commune by code, once communes() has loaded; undefined before. */
export function communeByCode(code: string): Commune | undefined {
  return communeIndex?.get(code);
}

export async function loadCommuneIndex(): Promise<Map<string, Commune>> {
  communeIndex = new Map((await communes()).map((c) => [c.code, c]));
  return communeIndex;
}

let marketsPromise: Promise<MarketplaceInfo[]> | null = null;

/** The marketplace registry from GET /marketplaces; the copy bundled from shared/ when that route is absent or offline. */
export function marketplaces(): Promise<MarketplaceInfo[]> {
  marketsPromise ??= getOptional<{ items: MarketplaceInfo[] }>('/marketplaces')
    .then((r) => {
      if (!r) return cached<MarketplaceInfo[]>(MARKETS_KEY) ?? [...bundledMarketplaces];
      localStorage.setItem(MARKETS_KEY, JSON.stringify(r.items));
      return r.items;
    })
    .catch(() => cached<MarketplaceInfo[]>(MARKETS_KEY) ?? [...bundledMarketplaces]);
  return marketsPromise;
}

/** The registry known without a request (for labels). */
export function marketplaceName(id: string): string {
  return (cached<MarketplaceInfo[]>(MARKETS_KEY) ?? bundledMarketplaces).find((m) => m.id === id)?.name ?? id;
}
