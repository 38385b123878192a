import { normaliseName, normaliseUnitName } from '#shared/text/normalise.ts';
import type { Commune } from './types.ts';

type Indexed = { commune: Commune; name: string; full: string; en: string; former: string };

/** Precomputes the loose keys of each commune once. */
export function indexCommunes(list: readonly Commune[]): Indexed[] {
  return list.map((commune) => ({
    commune,
    name: normaliseName(commune.name),
    full: normaliseName(commune.fullName),
    en: normaliseName(commune.nameEn),
    former: commune.formerDistricts.map((d) => normaliseName(d.fullName)).join(' | '),
  }));
}

/**
 * Loose commune search: case, accents, tone-mark style and the "Xã/Phường/TT." prefix are
 * ignored, so "thieu hoa", "Thiệu Hoá" and "xa thieu hoa" all find Xã Thiệu Hóa. A code finds its
 * commune. Best first: exact name, name starting with the query, every word starting a name word,
 * the query inside the name, then a former district's name.
 */
export function searchCommunes(index: readonly Indexed[], query: string, limit = 8): Commune[] {
  const raw = query.trim();
  if (!raw) return index.slice(0, limit).map((i) => i.commune);
  if (/^\d{1,5}$/.test(raw)) return index.filter((i) => i.commune.code.startsWith(raw)).slice(0, limit).map((i) => i.commune);
  const q = normaliseUnitName(raw) || normaliseName(raw);
  const words = q.split(' ');
  const scored: { c: Commune; score: number }[] = [];
  for (const i of index) {
    const nameWords = i.name.split(' ');
    let score = 0;
    if (i.name === q || i.en === q) score = 100;
    else if (i.name.startsWith(q)) score = 80;
    else if (words.every((w) => nameWords.some((n) => n.startsWith(w)))) score = 60;
    else if (i.name.includes(q) || i.full.includes(q)) score = 40;
    else if (i.former.includes(q)) score = 20;
    if (score) scored.push({ c: i.commune, score });
  }
  scored.sort((a, b) => b.score - a.score || a.c.name.localeCompare(b.c.name, 'vi'));
  return scored.slice(0, limit).map((s) => s.c);
}
