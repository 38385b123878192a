/**
 * Matching keys for Vietnamese names (people, producers, administrative units).
 *
 * Two strengths of key:
 * - {@link normaliseName}: the loose key. Case, diacritics, tone marks, đ, punctuation and
 *   Unicode composition (NFC/NFD) are all ignored, so "Thị trấn Thiệu Hoá" and
 *   "thi tran thieu hoa" give the same key. Use it for indexing and search.
 * - {@link spellingKey}: the finer key. Ignores case, composition and where the tone mark is
 *   placed ("Hoà"/"Hòa", "Thuỷ"/"Thủy"), but keeps which tone and which vowel letter was written,
 *   so "Thiệu Hóa" and "Thiệu Hòa" (two different communes) stay apart. Use it to narrow several
 *   loose matches when the input carries diacritics.
 */

/** Combining marks that carry a Vietnamese tone: huyền, sắc, ngã, hỏi, nặng. */
const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
/** Combining marks that make a distinct vowel letter: â/ê/ô (circumflex), ă (breve), ơ/ư (horn). */
const LETTER_MARKS = new Set(['\u0302', '\u0306', '\u031B']);
/** Letters written for đ/Đ, including the look-alike eth (Ð/ð) that legacy encodings produce. */
const D_WITH_STROKE = /[đĐðÐ]/g;
/** Invisible format characters (zero-width space, BOM, soft hyphen…) that should not split words. */
const FORMAT_CHARS = /\p{Cf}/gu;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The loose matching key for a Vietnamese name.
 *
 * Independent of Unicode composition (NFC/NFD/NFKC input gives the same result) and of case;
 * removes every diacritic and tone mark (so the tone-mark styles "Hoà"/"Hòa" and "Thuỷ"/"Thủy"
 * match, and so do "Hóa"/"Hòa"); maps đ/Đ to d; turns every run of punctuation and whitespace
 * into one space; trims.
 *
 * @example normaliseName('  Thị trấn  Thiệu-Hoá ') === 'thi tran thieu hoa'
 * @param s any text
 * @returns lower-case ASCII letters, digits and single spaces (other scripts' letters are kept, lower-cased)
 */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(FORMAT_CHARS, '')
    .replace(/\p{M}+/gu, '')
    .replace(D_WITH_STROKE, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A finer matching key that keeps the spelling but not its encoding.
 *
 * Case-, composition- and punctuation-insensitive like {@link normaliseName}, and insensitive to
 * the placement of the tone mark within a syllable (old style "Hoà", "Thuỷ" equals GSO style
 * "Hòa", "Thủy"), but it keeps which tone was written and the vowel letters ă â ê ô ơ ư and đ. So
 * "Thiệu Hóa" ≠ "Thiệu Hòa" and "Đồng Tiến" ≠ "Đông Tiến", whereas their loose keys are equal.
 *
 * @param s any text
 * @returns an opaque key: compare keys for equality only, never display them
 */
export function spellingKey(s: string): string {
  const text = s.normalize('NFKD').replace(FORMAT_CHARS, '').replace(D_WITH_STROKE, 'đ').toLowerCase();
  const words: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    let base = '';
    let tone = '';
    for (const ch of word) {
      if (TONE_MARKS.has(ch)) {
        if (!tone) tone = ch;
      } else if (LETTER_MARKS.has(ch) || !/\p{M}/u.test(ch)) {
        base += ch;
      }
    }
    words.push(base + tone);
  }
  return words.join(' ');
}

/**
 * Whether the text carries any Vietnamese diacritic (tone mark, vowel mark or đ), i.e. whether
 * {@link spellingKey} can tell it apart from other names with the same {@link normaliseName}.
 *
 * @param s any text
 */
export function hasDiacritics(s: string): boolean {
  return /[\p{M}đĐðÐ]/u.test(s.normalize('NFKD'));
}

/** The unit types a leading prefix can name. */
export type UnitPrefixType = 'Xã' | 'Phường' | 'Thị trấn' | 'Huyện' | 'Thành phố' | 'Thị xã';

/** Prefix spellings, as word sequences; full words are checked against their diacritics. */
const PREFIXES: readonly { words: readonly string[]; type: UnitPrefixType }[] = [
  { words: ['thị', 'trấn'], type: 'Thị trấn' },
  { words: ['thành', 'phố'], type: 'Thành phố' },
  { words: ['thị', 'xã'], type: 'Thị xã' },
  { words: ['t', 't'], type: 'Thị trấn' },
  { words: ['t', 'p'], type: 'Thành phố' },
  { words: ['t', 'x'], type: 'Thị xã' },
  { words: ['tt'], type: 'Thị trấn' },
  { words: ['tp'], type: 'Thành phố' },
  { words: ['tx'], type: 'Thị xã' },
  { words: ['xã'], type: 'Xã' },
  { words: ['x'], type: 'Xã' },
  { words: ['phường'], type: 'Phường' },
  { words: ['p'], type: 'Phường' },
  { words: ['huyện'], type: 'Huyện' },
  { words: ['h'], type: 'Huyện' },
];

/** PREFIXES with each word's loose key and spelling key precomputed. */
const PREFIX_KEYS = PREFIXES.map((p) => ({ type: p.type, loose: p.words.map(normaliseName), spelling: p.words.map(spellingKey) }));
const PREFIX_START = new Set(PREFIX_KEYS.map((p) => p.loose[0]!));

/**
 * Whether the input words start with the prefix: the letters match and, where an input word
 * carries diacritics, they are the prefix's diacritics ("Phượng Nghi" is a name, not "Phường Nghi").
 */
function startsWithPrefix(tokens: string[], loose: string[], prefix: (typeof PREFIX_KEYS)[number]): boolean {
  if (tokens.length <= prefix.loose.length) return false;
  if (!prefix.loose.every((w, i) => loose[i] === w)) return false;
  return prefix.spelling.every((w, i) => !hasDiacritics(tokens[i]!) || spellingKey(tokens[i]!) === w);
}

/** The result of {@link splitUnitPrefix}. */
export type UnitPrefixSplit = {
  /** The unit type the prefix names, or null when there was no prefix. */
  type: UnitPrefixType | null;
  /** The prefix as written (e.g. "TT."), or '' when there was none. */
  prefix: string;
  /** The rest of the input (trimmed, NFC), i.e. the name itself. */
  rest: string;
};

/**
 * Splits a leading administrative-unit type off a name: Xã, Phường, Thị trấn, TT, X., P.,
 * Huyện, H., Thành phố, TP, Thị xã, TX (also T.T., T.P., T.X.), case- and diacritic-insensitive,
 * with or without a dot or space after it ("TT.Thiệu Hóa", "tp thanh hoa").
 *
 * Only one prefix is removed, and only when a name follows it: "Phường" alone is returned
 * unchanged. A written diacritic must agree with the prefix, so "Phượng Nghi" keeps its first word;
 * unaccented input is taken at its word ("phuong nghi" → type Phường, rest "nghi").
 *
 * @param s a unit name as written
 * @returns the prefix type, the prefix text and the remaining name (original spelling, NFC, trimmed)
 */
export function splitUnitPrefix(s: string): UnitPrefixSplit {
  const text = s.normalize('NFC').trim();
  const none: UnitPrefixSplit = { type: null, prefix: '', rest: text };
  const matches = [...text.matchAll(WORD)].slice(0, 3);
  if (matches.length < 2) return none;
  const tokens = matches.map((m) => m[0]);
  const loose = tokens.map(normaliseName);
  if (!PREFIX_START.has(loose[0]!)) return none;
  for (const prefix of PREFIX_KEYS) {
    if (!startsWithPrefix(tokens, loose, prefix)) continue;
    const next = matches[prefix.loose.length]!;
    return { type: prefix.type, prefix: text.slice(0, next.index).trim(), rest: text.slice(next.index).trim() };
  }
  return none;
}

/**
 * Removes one leading unit-type prefix (see {@link splitUnitPrefix}) and returns the rest of the
 * name in its original spelling (NFC, trimmed): "TT.Thiệu Hóa" → "Thiệu Hóa".
 *
 * @param s a unit name as written
 */
export function stripUnitPrefix(s: string): string {
  return splitUnitPrefix(s).rest;
}

/**
 * The loose matching key of an administrative-unit name without its type prefix:
 * `normaliseName(stripUnitPrefix(s))`, so "Thị trấn Thiệu Hóa", "TT. Thiệu Hoá" and "thieu hoa"
 * all give "thieu hoa".
 *
 * @param s a unit name as written
 */
export function normaliseUnitName(s: string): string {
  return normaliseName(stripUnitPrefix(s));
}
