/**
 * What a person may choose as language, country, time zone and time format. Pure: uses the
 * ICU data built into the JavaScript runtime, no I/O.
 */
const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

export const TIME_FORMATS = ['12h', '24h'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

/** A BCP 47 language tag naming a known language (`en`, `ja`, `pt-BR`, `fr`). */
export function isKnownLanguage(tag: string): boolean {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical === tag && languageNames.of(tag) !== undefined;
  } catch {
    return false;
  }
}

/** An ISO 3166-1 alpha-2 country code (`BR`, `JP`), not a private-use or grouping code. */
export function isKnownCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || /^(AA|Q[M-Z]|X[A-Z]|ZZ|EU|EZ|UN)$/.test(code)) return false;
  return regionNames.of(code) !== undefined;
}

/** An IANA time zone name the runtime knows (`America/Sao_Paulo`, `Asia/Tokyo`, `UTC`). */
export function isKnownTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
