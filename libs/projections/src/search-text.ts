/**
 * Search keys for names in Japanese, Portuguese, French (and most other scripts): the same
 * function normalizes what is stored and what is searched, and the read store matches
 * prefixes of the stored terms exactly.
 */

/** Latin letters that carry no decomposable diacritic but that people type without it. */
const LETTER_FOLDS: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', ı: 'i', ħ: 'h', þ: 'th' };
const LETTER_FOLD = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');
/** Combining marks, except the kana voicing marks (゛゜), which change the sound: は ば ぱ stay apart. */
const COMBINING_MARK = /(?![\u3099\u309a])\p{M}/gu;
/** Katakana that have a hiragana counterpart 0x60 below (ァ..ヶ, ヽ, ヾ). */
const KATAKANA = /[\u30a1-\u30f6\u30fd\u30fe]/g;
const SPACES = /\s+/gu;
/** What separates words: anything that is neither a letter, a mark nor a digit (spaces, '-', ''', '・', ','). */
const WORD_SEPARATOR = /[^\p{L}\p{M}\p{N}]+/u;

/**
 * The form a name is stored and searched in:
 * - NFKC: full-width latin and digits become ASCII ('ＡＢＣ' -> 'ABC'), half-width katakana
 *   become full-width ('ﾔﾏﾀﾞ' -> 'ヤマダ'), the ideographic space a space;
 * - lower case;
 * - diacritics removed ('São' -> 'sao', 'Hélène' -> 'helene', 'Çé' -> 'ce'), and œ æ ß ø ...
 *   spelled out ('Lætitia' -> 'laetitia'); the kana voicing marks are kept ('だ' is not 'た');
 * - katakana folded to hiragana ('ヤマダ' -> 'やまだ');
 * - runs of spaces collapsed, and trimmed.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARK, '')
    .normalize('NFC')
    .replace(LETTER_FOLD, (letter) => LETTER_FOLDS[letter])
    .replace(KATAKANA, (kana) => String.fromCharCode(kana.charCodeAt(0) - 0x60))
    .replace(SPACES, ' ')
    .trim();
}

/** At most this many terms per name; the whole key comes first, so it is never dropped. */
export const MAX_SEARCH_TERMS = 12;
/** Terms are cut to this many code points: longer queries are cut the same way. */
export const MAX_TERM_LENGTH = 100;

/**
 * The terms a name is found by, each matched by prefix: the whole key, each word of it, and
 * inside a word each run of latin letters/digits and of other scripts, so that 'Souza' finds
 * 'Ana Souza', '山田' finds '山田 太郎', and '商事' finds 'ＡＢＣ商事'. Unique, at most
 * MAX_SEARCH_TERMS, each at most MAX_TERM_LENGTH code points.
 */
export function searchTerms(name: string): string[] {
  const key = searchKey(name);
  if (!key) return [];
  const terms = new Set<string>([truncate(key)]);
  const words = key.split(WORD_SEPARATOR).filter(Boolean);
  for (const word of words) terms.add(truncate(word));
  for (const word of words) for (const run of scriptRuns(word)) terms.add(truncate(run));
  return [...terms].slice(0, MAX_SEARCH_TERMS);
}

/** The prefix a query searches the terms with: its key, cut like the terms are. */
export function searchPrefix(query: string): string {
  return truncate(searchKey(query));
}

/** Whether a name is found by a query, exactly as a prefix search on its stored terms would. */
export function matchesSearch(name: string, query: string): boolean {
  const prefix = searchPrefix(query);
  return searchTerms(name).some((term) => term.startsWith(prefix));
}

/** A word split where it changes between latin letters/digits and another script. */
function scriptRuns(word: string): string[] {
  return word.match(/[\p{Script=Latin}\p{N}]+|[^\p{Script=Latin}\p{N}]+/gu) ?? [];
}

function truncate(term: string): string {
  const codePoints = Array.from(term);
  return codePoints.length > MAX_TERM_LENGTH ? codePoints.slice(0, MAX_TERM_LENGTH).join('').trimEnd() : term;
}
