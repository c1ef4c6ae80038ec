import { DomainError } from './errors';
import { checkDocumentProject, DocumentProject } from './project';

/**
 * What a quote and an invoice both carry about themselves, checked the same way: the
 * organization's own number, a title, the audience (company, optional contact, optional
 * project), an issue date, and an https link to the organization's own copy of the document.
 */
export interface DocumentHeaderInput {
  clientId: string;
  contactId?: string | null;
  projectId?: string | null;
  /** The project `projectId` names, as its stream tells it now (the caller reads it). */
  project?: DocumentProject | null;
  number: string;
  title?: string | null;
  /** YYYY-MM-DD (a calendar date, in the organization's time zone). */
  issueDate: string;
  link: string;
}

export interface DocumentHeader {
  clientId: string;
  contactId: string | null;
  projectId: string | null;
  number: string;
  title: string;
  issueDate: string;
  link: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date as YYYY-MM-DD (2026-02-30 is refused). */
export function requireDate(value: string, field: string): string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  const valid = match && (() => {
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return date.toISOString().slice(0, 10) === value;
  })();
  if (!valid) throw new DomainError('unprocessable', 'invalid-date', `${field} must be a calendar date YYYY-MM-DD.`, { errors: [{ field, message: 'a date YYYY-MM-DD' }] });
  return value;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: string | Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * Has a date-bound document lapsed? It is valid through the whole last day, in the
 * organization's time zone: it lapses at the end of that day, local time.
 */
export function isPastEndOfDay(lastDay: string, now: string | Date, timeZone: string): boolean {
  return localDate(now, timeZone) > lastDay;
}

/** `checkProject`: the rule for the document's project (an invoice's is stricter). */
export function requireHeader(
  input: DocumentHeaderInput,
  defaultTitle: (number: string) => string,
  checkProject: typeof checkDocumentProject = checkDocumentProject,
): DocumentHeader {
  const number = typeof input.number === 'string' ? input.number.trim() : '';
  if (!number) throw new DomainError('unprocessable', 'number-required', 'A document needs its number.', { errors: [{ field: 'number', message: 'required' }] });
  const title = input.title?.trim() || defaultTitle(number);
  let url: URL | null = null;
  try {
    url = new URL(input.link);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== 'https:' || !url.hostname) {
    throw new DomainError('unprocessable', 'invalid-link', 'The link must be an https URL.', { errors: [{ field: 'link', message: 'an https URL' }] });
  }
  const projectId = checkProject(input.projectId, input.project, input.clientId);
  return {
    clientId: input.clientId,
    contactId: input.contactId ?? null,
    projectId,
    number,
    title,
    issueDate: requireDate(input.issueDate, 'issueDate'),
    link: input.link,
  };
}
