/**
 * Administrative units of Thanh Hóa province (GSO code 38) and matching of unit names and codes
 * from any period to the current communes.
 *
 * Data (see ./data/ATTRIBUTION.md):
 * - current: 166 communes (147 Xã, 19 Phường) in force since 2025-07-01, each with the
 *   pre-reform units it was formed from;
 * - '2025-pre-reform': 26 districts, 547 communes (2025-01-01 … 2025-06-30); every one of them is
 *   mapped to the new unit(s) it went into; 10 of them were split between 2 or 3 new units;
 * - '2024': 27 districts, 558 communes (2024-05-01 … 2024-12-31). 547 of those codes continue
 *   into 2025 (some renamed or moved from Huyện Đông Sơn to TP Thanh Hóa); 11 were merged into
 *   other communes on 2025-01-01 and the data has no mapping for them.
 *
 * All lookup indexes are built once, at module load; {@link resolveUnit} does a few map lookups
 * and filters of a handful of entries, so it is suitable for bulk imports.
 *
 * Resolution rules — see {@link resolveUnit}.
 */
import current from './data/thanh-hoa-2025.json' with { type: 'json' };
import preReform from './data/thanh-hoa-2025-pre-reform.json' with { type: 'json' };
import y2024 from './data/thanh-hoa-2024.json' with { type: 'json' };
import { hasDiacritics, normaliseName, spellingKey, splitUnitPrefix } from '#shared/text/normalise.ts';

/** Type of a current (post-2025-07-01) commune-level unit. */
export type CommuneType = 'Xã' | 'Phường';

/** A current commune-level unit. */
export type Commune = {
  /** 5-digit GSO code. */
  code: string;
  /** Name without type, e.g. "Hàm Rồng". */
  name: string;
  /** Name with type, e.g. "Phường Hàm Rồng". */
  fullName: string;
  type: CommuneType;
  /** Name without diacritics, e.g. "Ham Rong". */
  nameEn: string;
  /** The distinct pre-reform districts of the units it was formed from, in the order the resolution lists them. */
  formerDistricts: { code: string; fullName: string }[];
};

/** A pre-reform district and the current communes formed (wholly or partly) from its units. */
export type FormerDistrict = {
  /** 3-digit GSO district code. */
  code: string;
  /** e.g. "Huyện Thiệu Hóa". */
  fullName: string;
  /** Codes of current communes formed partly or wholly from units of this district, ascending. */
  communeCodes: string[];
};

/** A period in which an old unit existed, by the list it appears in. */
export type Period = '2024' | '2025-pre-reform';

/** How much of the old unit went into the new one (from the resolution text). */
export type Share = 'full' | 'partial' | 'partial-remainder' | 'unchanged';

/** An old (pre-2025-07-01) commune-level unit, as it was written in one or more periods. */
export type OldUnitRef = {
  code: string;
  /** Name with type, as in the period(s) listed in validIn, e.g. "Thị trấn Thiệu Hóa". */
  fullName: string;
  /** Its district in those periods, e.g. "Huyện Thiệu Hóa". */
  districtFullName: string;
  /**
   * The periods in which the unit had exactly this fullName and district. Empty for 15790 Xã Thiệu
   * Phú, which was merged before the 2024 list was drawn up.
   */
  validIn: Period[];
};

/** One possible current commune for a query. */
export type Candidate = {
  /** Code of the current commune. */
  code: string;
  /** Full name of the current commune. */
  fullName: string;
  /** For matches through an old unit: how much of that old unit went into this commune. */
  share?: Share;
  /** For matches through an old unit: the old unit that led here (the first one, if several did). */
  via?: OldUnitRef;
};

/** Outcome of {@link resolveUnit}. */
export type ResolutionStatus =
  /** The query names a current commune (candidates: exactly one, no via). */
  | 'current'
  /** The query names old unit(s) that all went wholly into one current commune (one candidate, with via). */
  | 'mapped'
  /** Several current communes are possible; a person must choose among the candidates. */
  | 'ambiguous'
  /** The query names only known old units for which the data has no mapping (no candidates). */
  | 'unmapped'
  /** Nothing matched (no candidates). */
  | 'not_found';

export type Resolution = {
  query: { name: string; district?: string };
  status: ResolutionStatus;
  /** Distinct current communes (deduplicated by code); empty for 'unmapped' and 'not_found'. */
  candidates: Candidate[];
  /** Matched old units that the data cannot place (2024 codes merged on 2025-01-01); present only when non-empty. */
  unmappedUnits?: OldUnitRef[];
  /** Human-readable explanation when the answer needs one (unmapped units, unused district hint, …). */
  note?: string;
};

// ---------------------------------------------------------------------------------------------
// Raw data shapes (only the fields used here) and validation

type RawMergedFrom = { code: string; fullName: string; type: string; districtCode: string; districtFullName: string; share: string };
type RawCommune = { code: string; name: string; fullName: string; type: string; nameEn: string; mergedFrom: RawMergedFrom[] };
type RawMapping = { newCode: string; newFullName: string; share: string };
type RawOldCommune = { code: string; name: string; fullName: string; type: string; districtCode: string; districtFullName: string };
type RawDistrict = { code: string; name: string; fullName: string; type: string };
type RawList = { districts: RawDistrict[]; communes: RawOldCommune[] };

const SHARES: readonly string[] = ['full', 'partial', 'partial-remainder', 'unchanged'] satisfies Share[];

function asShare(s: string, where: string): Share {
  if (!SHARES.includes(s)) throw new Error(`admin-units: unexpected share "${s}" in ${where}`);
  return s as Share;
}

function asCommuneType(s: string, where: string): CommuneType {
  if (s !== 'Xã' && s !== 'Phường') throw new Error(`admin-units: unexpected commune type "${s}" in ${where}`);
  return s;
}

const rawCommunes: RawCommune[] = current.communes;
const rawOldToNew: Record<string, RawMapping[]> = current.oldToNew;
const rawPreReform: RawList = preReform;
const raw2024: RawList = y2024;

// ---------------------------------------------------------------------------------------------
// Province and current communes

/** GSO code of the province: '38'. */
export const provinceCode: string = current.province.code;
/** Name of the province without type: 'Thanh Hóa'. */
export const provinceName: string = current.province.name;

function freezeCommune(c: RawCommune): Commune {
  const formerDistricts: { code: string; fullName: string }[] = [];
  for (const m of c.mergedFrom) {
    if (!formerDistricts.some((d) => d.code === m.districtCode)) formerDistricts.push(Object.freeze({ code: m.districtCode, fullName: m.districtFullName }));
  }
  return Object.freeze({
    code: c.code,
    name: c.name,
    fullName: c.fullName,
    type: asCommuneType(c.type, `commune ${c.code}`),
    nameEn: c.nameEn,
    formerDistricts: Object.freeze(formerDistricts) as { code: string; fullName: string }[],
  });
}

const communes: readonly Commune[] = Object.freeze(rawCommunes.map(freezeCommune).sort((a, b) => a.code.localeCompare(b.code)));
const communeByCode = new Map(communes.map((c) => [c.code, c]));

/** All 166 current communes, sorted by code. The objects are frozen; the array is a fresh copy. */
export function listCommunes(): Commune[] {
  return [...communes];
}

/** The current commune with this code, or undefined (old codes are not current communes — see {@link resolveUnit}). */
export function getCommune(code: string): Commune | undefined {
  return communeByCode.get(code.trim());
}

/** Whether the code is one of the 166 current commune codes. */
export function isCurrentCommuneCode(code: string): boolean {
  return communeByCode.has(code.trim());
}

const formerDistricts: readonly FormerDistrict[] = Object.freeze(
  rawPreReform.districts
    .map((d) => {
      const codes = new Set<string>();
      for (const c of rawCommunes) if (c.mergedFrom.some((m) => m.districtCode === d.code)) codes.add(c.code);
      return Object.freeze({ code: d.code, fullName: d.fullName, communeCodes: Object.freeze([...codes].sort()) as string[] });
    })
    .sort((a, b) => a.code.localeCompare(b.code)),
);

/**
 * The 26 districts in force just before the reform (2025-01-01 … 2025-06-30), sorted by code, each
 * with the current communes formed partly or wholly from its units — for rolling reports up by
 * former district. A current commune formed from several districts appears under each of them.
 * Huyện Đông Sơn (405, merged into TP Thanh Hóa 380 on 2025-01-01) is not among them: its communes
 * count under 380.
 */
export function listFormerDistricts(): FormerDistrict[] {
  return formerDistricts.map((d) => ({ ...d, communeCodes: [...d.communeCodes] }));
}

// ---------------------------------------------------------------------------------------------
// Old units: every code of the 2024 and pre-reform lists, with each distinct spelling/district

type OldVersion = {
  name: string;
  fullName: string;
  type: string;
  districtCode: string;
  districtFullName: string;
  validIn: Period[];
};

type OldUnit = {
  code: string;
  /** Distinct (fullName, district) versions, the pre-reform one first. */
  versions: OldVersion[];
  /** Where the unit went, or undefined when the data has no mapping. */
  mapping: { newCode: string; newFullName: string; share: Share }[] | undefined;
  /** Explanation to return with any answer that goes through this unit. */
  note?: string;
};

const oldUnits = new Map<string, OldUnit>();

function addOldVersion(c: { code: string; name: string; fullName: string; type: string; districtCode: string; districtFullName: string }, period: Period | null): void {
  let unit = oldUnits.get(c.code);
  if (!unit) {
    const mapping = rawOldToNew[c.code]?.map((m) => ({ newCode: m.newCode, newFullName: m.newFullName, share: asShare(m.share, `oldToNew ${c.code}`) }));
    unit = { code: c.code, versions: [], mapping };
    oldUnits.set(c.code, unit);
  }
  let version = unit.versions.find((v) => v.fullName === c.fullName && v.districtCode === c.districtCode);
  if (!version) {
    version = { name: c.name, fullName: c.fullName, type: c.type, districtCode: c.districtCode, districtFullName: c.districtFullName, validIn: [] };
    unit.versions.push(version);
  }
  if (period) version.validIn.push(period);
}

function buildOldUnits(): void {
  for (const c of rawPreReform.communes) addOldVersion(c, '2025-pre-reform');
  for (const c of raw2024.communes) addOldVersion(c, '2024');
  for (const code of Object.keys(rawOldToNew)) {
    if (!oldUnits.has(code)) throw new Error(`admin-units: oldToNew code ${code} is in no old list`);
  }

  /**
   * 15790 Xã Thiệu Phú (Huyện Thiệu Hóa) is in neither list: it was merged into 15829 Thị trấn Hậu
   * Hiền during 2024, before the 2024 list (559 → 558 communes; data/ATTRIBUTION.md, "Known
   * facts"). It is placed through 15829, which went wholly into one new commune.
   */
  {
    const through = oldUnits.get('15829');
    const district = raw2024.districts.find((d) => d.code === '398');
    if (!through?.mapping || !district) throw new Error('admin-units: 15829 / district 398 missing from the data');
    addOldVersion({ code: '15790', name: 'Thiệu Phú', fullName: 'Xã Thiệu Phú', type: 'Xã', districtCode: district.code, districtFullName: district.fullName }, null);
    const unit = oldUnits.get('15790')!;
    unit.mapping = through.mapping;
    unit.note = `Xã Thiệu Phú (15790) was merged into ${through.versions[0]!.fullName} (15829) in 2024, before the 2024 list; placed through 15829.`;
  }

  for (const unit of oldUnits.values()) {
    if (!unit.mapping) {
      unit.note = `${unit.versions.map((v) => `${v.fullName} (${unit.code}, ${v.districtFullName})`).join(' / ')} was merged into another commune on 2025-01-01; the reference data has no mapping for it.`;
    }
  }
}

function refOf(unit: OldUnit, version: OldVersion): OldUnitRef {
  return { code: unit.code, fullName: version.fullName, districtFullName: version.districtFullName, validIn: [...version.validIn] };
}

// ---------------------------------------------------------------------------------------------
// Indexes

type NameEntry =
  | { kind: 'current'; commune: Commune; words: string[]; type: string }
  | { kind: 'old'; unit: OldUnit; version: OldVersion; words: string[]; type: string };

/** Loose name key (no type prefix) → every current commune and old-unit version with that name. */
const nameIndex = new Map<string, NameEntry[]>();

function addName(name: string, entry: NameEntry): void {
  const key = normaliseName(name);
  const list = nameIndex.get(key);
  if (list) list.push(entry);
  else nameIndex.set(key, [entry]);
}

function spellingWords(s: string): string[] {
  return spellingKey(s).split(' ');
}

function buildNameIndex(): void {
  for (const c of communes) addName(c.name, { kind: 'current', commune: c, words: spellingWords(c.name), type: c.type });
  for (const unit of [...oldUnits.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    for (const version of unit.versions) addName(version.name, { kind: 'old', unit, version, words: spellingWords(version.name), type: version.type });
  }
}

/**
 * Whether a name as written (already split into spelling words) can be a spelling of a known name
 * with the same loose key: every word written with diacritics must have the known word's spelling
 * (tone-mark placement aside); words written without any diacritics match any spelling.
 */
function spellingAgrees(written: string[], known: string[]): boolean {
  if (written.length !== known.length) return written.join(' ') === known.join(' ');
  return written.every((w, i) => w === known[i] || !hasDiacritics(w));
}

/** Whether the spellings are the same, tone-mark placement aside. */
function spellingEquals(written: string[], known: string[]): boolean {
  return written.length === known.length && written.every((w, i) => w === known[i]);
}

type DistrictEntry = { code: string; words: string[] };
/** Loose district name key (no type prefix) → districts of either period with that name. */
const districtIndex = new Map<string, DistrictEntry[]>();
const districtCodes = new Set<string>();
function buildDistrictIndex(): void {
  for (const d of [...rawPreReform.districts, ...raw2024.districts]) {
    if (districtCodes.has(d.code)) continue;
    districtCodes.add(d.code);
    const key = normaliseName(d.name);
    const entry = { code: d.code, words: spellingWords(d.name) };
    const list = districtIndex.get(key);
    if (list) list.push(entry);
    else districtIndex.set(key, [entry]);
  }
}

let indexesBuilt = false;
/**
 * Builds the old units and the name indexes on first use: most processes (an API request, a
 * scheduled job) never resolve an old name, and building them costs a cold start ~20 ms.
 */
function ensureIndexes(): void {
  if (indexesBuilt) return;
  buildOldUnits();
  buildNameIndex();
  buildDistrictIndex();
  indexesBuilt = true;
}

/** The district codes a hint names, or undefined if it names none. */
function districtCodesFor(hint: string): Set<string> | undefined {
  const text = hint.normalize('NFC').trim();
  if (/^\d+$/.test(text)) return districtCodes.has(text) ? new Set([text]) : undefined;
  const { rest } = splitUnitPrefix(text);
  const written = spellingWords(rest);
  const entries = (districtIndex.get(normaliseName(rest)) ?? []).filter((e) => spellingAgrees(written, e.words));
  return entries.length ? new Set(entries.map((e) => e.code)) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Resolution

type Query = Resolution['query'];
type Hint = { codes: Set<string> | undefined; note: string | undefined };

const hintCache = new Map<string, Hint>();

function readHint(district: string | undefined): Hint {
  if (district === undefined || district.trim() === '') return { codes: undefined, note: undefined };
  let hint = hintCache.get(district);
  if (!hint) {
    const codes = districtCodesFor(district);
    hint = { codes, note: codes ? undefined : `District "${district}" is not a known district of Thanh Hóa (2024 or pre-reform); it was not used.` };
    if (hintCache.size >= 1000) hintCache.clear();
    hintCache.set(district, hint);
  }
  return hint;
}

function joinNotes(...notes: (string | undefined)[]): string | undefined {
  const text = [...new Set(notes.filter((n): n is string => !!n))].join(' ');
  return text || undefined;
}

function result(query: Query, status: ResolutionStatus, candidates: Candidate[], extra: { unmappedUnits?: OldUnitRef[]; note?: string | undefined } = {}): Resolution {
  const r: Resolution = { query, status, candidates };
  if (extra.unmappedUnits?.length) r.unmappedUnits = extra.unmappedUnits;
  if (extra.note) r.note = extra.note;
  return r;
}

/** Current communes → 'current' if exactly one and the match is certain, else 'ambiguous'. */
function fromCurrent(query: Query, matches: Commune[], certain: boolean, note: string | undefined): Resolution {
  const unique = [...new Map(matches.map((c) => [c.code, c])).values()];
  const candidates = unique.map((c) => ({ code: c.code, fullName: c.fullName }));
  return result(query, unique.length === 1 && certain ? 'current' : 'ambiguous', candidates, { note });
}

/** Old units (each with the version that matched) → candidates and status ('mapped' only if `certain`). */
function fromOld(query: Query, matches: { unit: OldUnit; version: OldVersion }[], certain: boolean, note: string | undefined): Resolution {
  const byCode = new Map<string, { unit: OldUnit; version: OldVersion }>();
  for (const m of matches) {
    const seen = byCode.get(m.unit.code);
    if (!seen || (m.version.validIn.includes('2025-pre-reform') && !seen.version.validIn.includes('2025-pre-reform'))) byCode.set(m.unit.code, m);
  }
  const candidates = new Map<string, Candidate>();
  const unmapped: OldUnitRef[] = [];
  const notes: (string | undefined)[] = [note];
  for (const { unit, version } of [...byCode.values()].sort((a, b) => a.unit.code.localeCompare(b.unit.code))) {
    notes.push(unit.note);
    if (!unit.mapping) {
      unmapped.push(refOf(unit, version));
      continue;
    }
    for (const m of unit.mapping) {
      if (!candidates.has(m.newCode)) candidates.set(m.newCode, { code: m.newCode, fullName: m.newFullName, share: m.share, via: refOf(unit, version) });
    }
  }
  const list = [...candidates.values()];
  const status: ResolutionStatus = list.length === 0 ? 'unmapped' : list.length === 1 && unmapped.length === 0 && certain ? 'mapped' : 'ambiguous';
  return result(query, status, list, { unmappedUnits: unmapped, note: joinNotes(...notes) });
}

function resolveCode(query: Query, code: string, hint: Hint): Resolution {
  const commune = communeByCode.get(code);
  const unit = oldUnits.get(code);
  const versions = unit?.versions.map((version) => ({ unit: unit, version })) ?? [];
  const inHint = hint.codes ? versions.filter((v) => hint.codes!.has(v.version.districtCode)) : [];
  if (commune && inHint.length === 0) return fromCurrent(query, [commune], true, hint.note);
  if (versions.length) return fromOld(query, inHint.length ? inHint : versions, true, hint.note);
  return result(query, 'not_found', [], { note: hint.note });
}

/** Keeps the items that pass, unless none does. */
function narrow<T>(items: T[], keep: (item: T) => boolean): { items: T[]; narrowed: boolean } {
  const kept = items.filter(keep);
  return kept.length ? { items: kept, narrowed: true } : { items, narrowed: false };
}

/**
 * Finds the current commune(s) that a commune-level name or code from any period refers to.
 *
 * `name` may be a current commune code, an old commune code (2024 or pre-reform list), or a name
 * in any spelling: with or without a type prefix (Xã, Phường, Thị trấn, TT., X., P., …), any case,
 * NFC or NFD, old or new tone-mark style, with or without diacritics. `district` is optional: an
 * old district's name (any style, e.g. "Huyện Đông Sơn", "TP Thanh Hóa", "dong son") or 3-digit
 * code, used to tell apart old communes of the same name in different districts. Districts of both
 * 2024 (27, including Huyện Đông Sơn 405) and the pre-reform list (26) are recognised.
 *
 * Rules, in order:
 * 1. Codes (all digits). A current code gives 'current' — unless a district hint is given and the
 *    same code also belonged to an old unit in that district: then the code is read as that old
 *    unit. (Each current code reuses the code of one predecessor; for 14758, 15016, 15271, 15772,
 *    16264 and 16273 that predecessor was split, so "14758" is Phường Hàm Rồng today but, with
 *    district "TP Thanh Hóa", old Phường Đông Thọ, split in two.) Any other known old code resolves
 *    as in rule 5 (a code is unique, so a district hint that disagrees with it is not used).
 *    Otherwise 'not_found'.
 * 2. Names with a district-level prefix (Huyện, Thành phố/TP, Thị xã/TX) are districts, not
 *    communes: 'not_found', with a note. Other names are matched on the loose key of the name
 *    without its prefix ({@link normaliseName}) against current communes and every name an old code
 *    had in 2024 or pre-reform (renamed units match under both names; Huyện Đông Sơn's communes
 *    under both districts). An unaccented prefix word is also tried as part of the name ("phuong
 *    nghi" also finds Xã Phượng Nghi).
 * 3. Spelling, when the query carries any diacritic (in the name, its prefix or the district — the
 *    writer evidently writes them; tone-mark placement is always ignored): keep
 *    the matches spelled exactly so ("Thiệu Hoá" is Thiệu Hóa, not Thiệu Hòa; "Hoa Lộc" is not
 *    "Hòa Lộc"); failing that, those whose words agree wherever the input wrote a diacritic
 *    ("Thieu Hóa" is Thiệu Hóa); failing that, keep all loose matches, but the answer is then never
 *    'current'/'mapped' ("Thủy Sơn" only resembles old Xã Thúy Sơn). Unaccented names match every
 *    spelling: "thieu hoa" is both Thiệu Hóa and Thiệu Hòa, "quang trung" both Quang and Quảng Trung.
 * 4. Type: if the name has a commune-type prefix, matches of that type (in their period) are
 *    preferred when there are any. "Thị trấn"/"TT" exist only among old units, so "TT. Thiệu Hóa"
 *    is the old town (split three ways), not today's Xã Thiệu Hóa; "Phường Lam Sơn" is one of the
 *    two old wards of that name, not today's Xã Lam Sơn.
 * 5. Current communes win over old units: if a current commune still matches, the answer is
 *    'current' (or 'ambiguous' among current communes if several remain, e.g. unaccented "dong
 *    tien" = Xã Đồng Tiến and Phường Đông Tiến), and old units of the same name are not listed —
 *    except when a district hint names a district in which a matching old unit lay: then those
 *    old units are used instead (a record that names a district is an old record). A hint that
 *    matches none of the matching old units is ignored for current communes.
 * 6. Old units: each matched old unit contributes the new communes it went into (deduplicated by
 *    code; `share` and `via` describe the first old unit, by code, that led there). If a district
 *    hint is given, only old units in that district are used; if none lies there, all are used but
 *    the answer is never 'mapped'. Status: no mapped unit → 'unmapped' (the 11 codes of 2024 merged
 *    on 2025-01-01, listed in `unmappedUnits`); exactly one candidate, no unmapped unit among the
 *    matches and nothing uncertain → 'mapped'; otherwise 'ambiguous' (split units; the same name in
 *    several districts; or a name shared with a 2024 unit that has no mapping, e.g. "Yên Ninh" with
 *    district "Yên Định", since the data cannot say which of the two units the record meant).
 * 7. Nothing matched → 'not_found'. An unrecognised district hint is ignored, with a note.
 *
 * 15790 Xã Thiệu Phú, merged in 2024 before the 2024 list, resolves through 15829 (see data/ATTRIBUTION.md).
 */
export function resolveUnit(input: { name: string; district?: string }): Resolution {
  ensureIndexes();
  const query: Query = input.district === undefined ? { name: input.name } : { name: input.name, district: input.district };
  const hint = readHint(input.district);
  const text = input.name.normalize('NFC').trim();
  if (/^\d+$/.test(text)) return resolveCode(query, text, hint);

  const split = splitUnitPrefix(text);
  if (split.type === 'Huyện' || split.type === 'Thành phố' || split.type === 'Thị xã') {
    return result(query, 'not_found', [], { note: joinNotes(`"${text}" names a district (${split.type}), not a commune.`, hint.note) });
  }
  const key = normaliseName(split.rest);
  let entries = key ? (nameIndex.get(key) ?? []) : [];
  if (split.type && !hasDiacritics(split.prefix)) entries = [...entries, ...(nameIndex.get(normaliseName(text)) ?? [])];
  if (entries.length === 0) return result(query, 'not_found', [], { note: hint.note });

  const written = [spellingWords(split.rest), spellingWords(text)];
  let certain = true;
  if (hasDiacritics(text) || hasDiacritics(input.district ?? '')) {
    const exact = narrow(entries, (e) => written.some((w) => spellingEquals(w, e.words)));
    const agreeing = exact.narrowed ? exact : narrow(entries, (e) => written.some((w) => spellingAgrees(w, e.words)));
    entries = agreeing.items;
    certain = agreeing.narrowed;
  }
  const spellingNote = certain ? undefined : `No unit is spelled "${split.rest}"; units with the same letters are listed.`;
  if (split.type) {
    const type = split.type;
    entries = narrow(entries, (e) => e.type === type).items;
  }

  const currentMatches = entries.flatMap((e) => (e.kind === 'current' ? [e.commune] : []));
  const oldMatches = entries.flatMap((e) => (e.kind === 'old' ? [{ unit: e.unit, version: e.version }] : []));
  if (hint.codes) {
    const codes = hint.codes;
    const inHint = oldMatches.filter((m) => codes.has(m.version.districtCode));
    if (inHint.length) return fromOld(query, inHint, certain, spellingNote);
    if (currentMatches.length) return fromCurrent(query, currentMatches, certain, spellingNote);
    return fromOld(query, oldMatches, false, joinNotes(spellingNote, `No unit named "${split.rest}" lay in district "${input.district}"; candidates from all districts are listed.`));
  }
  if (currentMatches.length) return fromCurrent(query, currentMatches, certain, joinNotes(spellingNote, hint.note));
  return fromOld(query, oldMatches, certain, joinNotes(spellingNote, hint.note));
}
