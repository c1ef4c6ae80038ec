/** The locale each built-in language writes dates in. */
const LOCALES: Record<string, string> = { en: 'en-GB', ja: 'ja-JP', pt: 'pt-BR', fr: 'fr-FR' };

/**
 * The one date format of every email: a long date and a short time in the recipient's
 * language and time zone, the zone named ("29 November 2026 at 14:05 (Asia/Tokyo)").
 */
export function emailDateTime(instant: string, language: string | null | undefined, timeZone: string): string {
  const base = (language ?? 'en').split('-')[0];
  const locale = LOCALES[base] ?? LOCALES.en;
  return `${formatter(locale, timeZone).format(new Date(instant))} (${timeZone})`;
}

/** Formatters are costly to make (4 % of the request thread under the invitation workload, by the profile): one per locale and zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale} ${timeZone}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone });
    // Bounded: time zones come from organization settings, a few hundred at most exist.
    if (formatters.size >= 1_000) formatters.clear();
    formatters.set(key, made);
  }
  return made;
}

/** The language a built-in email text is written in: one of en, ja, pt, fr (English otherwise). */
export function builtInLanguage(language: string | null | undefined): 'en' | 'ja' | 'pt' | 'fr' {
  const base = (language ?? 'en').split('-')[0];
  return base === 'ja' || base === 'pt' || base === 'fr' ? base : 'en';
}
