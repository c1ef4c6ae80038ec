import { isEmail, isURL } from 'class-validator';
import { nameBasedUuid } from '@app/domain';
import { searchKey } from '@app/projections';
import { textProblem } from '../http/input-rules';
import { CsvRecord } from './csv';

/**
 * The contacts CSV: which columns it has, what a valid row is, and the deterministic ids that
 * make importing the same file again change nothing. Pure: no I/O.
 */

export const IMPORT_COLUMNS = [
  'company_name',
  'company_email',
  'company_website',
  'contact_name',
  'contact_email',
  'contact_phone',
  'associated_companies',
  'project',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['company_name', 'contact_name'];

export const MAX_IMPORT_ROWS = 100_000;
export const MAX_NAME_LENGTH = 200;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_WEBSITE_LENGTH = 2048;
export const MAX_PHONE_LENGTH = 40;
export const MAX_ASSOCIATED_COMPANIES = 50;

/** One problem of one row. `field` is the column, or null for the row as a whole. */
export interface RowError {
  row: number;
  field: ImportColumn | null;
  reason: string;
}

/** A header problem refuses the whole file. */
export class HeaderError extends Error {
  constructor(
    message: string,
    readonly errors: { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'HeaderError';
  }
}

export type ColumnIndex = Record<ImportColumn, number>;

/** Maps the header (case-insensitive, trimmed) to column positions; unknown, repeated or missing columns refuse the file. */
export function readHeader(header: string[]): ColumnIndex {
  const index = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, -1])) as ColumnIndex;
  const errors: { field: string; message: string }[] = [];
  header.forEach((raw, position) => {
    const name = raw.trim().toLowerCase();
    if (name === '') {
      errors.push({ field: `column ${position + 1}`, message: 'the header has an empty column name' });
    } else if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) {
      errors.push({ field: raw.trim(), message: `unknown column; the columns are ${IMPORT_COLUMNS.join(', ')}` });
    } else if (index[name as ImportColumn] !== -1) {
      errors.push({ field: name, message: 'the column appears twice' });
    } else {
      index[name as ImportColumn] = position;
    }
  });
  for (const column of REQUIRED_COLUMNS) {
    if (index[column] === -1 && !errors.some((e) => e.field === column)) errors.push({ field: column, message: 'required column missing' });
  }
  if (errors.length > 0) {
    const unknown = errors.filter((e) => e.message.startsWith('unknown column')).map((e) => `"${e.field}"`);
    const missing = errors.filter((e) => e.message === 'required column missing').map((e) => e.field);
    const parts = [
      unknown.length ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` : '',
      missing.length ? `missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
      errors.some((e) => e.message === 'the column appears twice' || e.message.includes('empty column')) ? 'repeated or empty column names' : '',
    ].filter(Boolean);
    throw new HeaderError(`The header row is not valid: ${parts.join('; ')}.`, errors);
  }
  return index;
}

/** The key of name-based ids: NFKC, trimmed, inner white space collapsed, lower-cased. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Company names are the same company by this key, in a file and against the directory: the
 * directory's search key (case, accents, width and kana insensitive: 'ACME Logística' is
 * 'acme logistica'), or normalizeName where that key is empty.
 */
export function companyMatchKey(name: string): string {
  return searchKey(name) || normalizeName(name);
}

export function importCompanyId(organizationId: string, companyName: string): string {
  return nameBasedUuid(`import-company:${organizationId}:${normalizeName(companyName)}`);
}

/** A contact is the same contact by its email address; without one, by its name at its primary company. */
export function importContactId(organizationId: string, contact: { name: string; email: string | null }, companyId: string): string {
  const key = contact.email ? contact.email.trim().toLowerCase() : `${normalizeName(contact.name)}@${companyId}`;
  return nameBasedUuid(`import-contact:${organizationId}:${key}`);
}

export interface PlannedCompany {
  id: string;
  /** companyMatchKey of its name. */
  key: string;
  name: string;
  email: string | null;
  website: string | null;
  /** Details come from the first valid row naming the company in `company_name`. */
  fromPrimaryRow: boolean;
}

export interface PlannedRow {
  row: number;
  companyId: string;
  companyName: string;
  contactId: string;
  contact: { name: string; email: string | null; phone: string | null };
  /** Other companies the contact belongs to (ids, and names for messages); the primary and repeats left out. */
  associated: { id: string; name: string }[];
  /** The project (by name) the company joins and the contact follows as a client user; null: none. */
  project: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Reads rows in file order: each one becomes a planned row or errors. A row whose contact
 * (same email, or same name at the same company) was already planned by an earlier row is
 * reported as a duplicate.
 */
export class ImportPlanner {
  readonly rows: PlannedRow[] = [];
  readonly errors: RowError[] = [];
  readonly companies = new Map<string, PlannedCompany>();
  /** Rows with at least one error. */
  invalidRows = 0;
  private readonly contactRows = new Map<string, number>();
  /** Company ids by match key: names that differ only in case, accents or width are one company, with the id of the first spelling. */
  private readonly companyIds = new Map<string, string>();

  constructor(
    private readonly organizationId: string,
    private readonly columns: ColumnIndex,
    private readonly headerWidth: number,
  ) {}

  add(record: CsvRecord): void {
    const errors = this.check(record);
    if (errors.length > 0) {
      this.invalidRows++;
      for (const error of errors) this.errors.push(error);
    }
  }

  private check(record: CsvRecord): RowError[] {
    const { row, fields } = record;
    if (fields.length !== this.headerWidth) {
      return [{ row, field: null, reason: `the row has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${this.headerWidth}` }];
    }
    const errors: RowError[] = [];
    const value = (column: ImportColumn) => (this.columns[column] === -1 ? '' : fields[this.columns[column]].trim());
    const fail = (field: ImportColumn, reason: string) => errors.push({ row, field, reason });

    // The rule every text obeys, whatever it comes through (as the API's validation applies it).
    for (const column of IMPORT_COLUMNS) {
      const problem = textProblem(value(column));
      if (problem) fail(column, problem);
    }
    if (errors.length > 0) return errors;

    const companyName = value('company_name');
    checkName(companyName, (reason) => fail('company_name', reason));
    const companyEmail = value('company_email');
    if (companyEmail) checkEmail(companyEmail, (reason) => fail('company_email', reason));
    const companyWebsite = value('company_website');
    if (companyWebsite) {
      if (tooLong(companyWebsite, MAX_WEBSITE_LENGTH)) fail('company_website', `is longer than ${MAX_WEBSITE_LENGTH} characters`);
      else if (!isURL(companyWebsite, { require_protocol: false })) fail('company_website', 'is not a valid web address');
    }
    const contactName = value('contact_name');
    checkName(contactName, (reason) => fail('contact_name', reason));
    const contactEmail = value('contact_email');
    if (contactEmail) checkEmail(contactEmail, (reason) => fail('contact_email', reason));
    const contactPhone = value('contact_phone');
    if (contactPhone) {
      if (tooLong(contactPhone, MAX_PHONE_LENGTH)) fail('contact_phone', `is longer than ${MAX_PHONE_LENGTH} characters`);
      else if (CONTROL.test(contactPhone)) fail('contact_phone', 'must not contain line breaks or control characters');
    }

    const associatedNames: string[] = [];
    const rawAssociated = value('associated_companies');
    if (rawAssociated) {
      const names = rawAssociated
        .split('|')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      if (names.length > MAX_ASSOCIATED_COMPANIES) {
        fail('associated_companies', `names ${names.length} companies, at most ${MAX_ASSOCIATED_COMPANIES}`);
      } else {
        for (const name of names) {
          const problem = nameProblem(name);
          if (problem) {
            fail('associated_companies', `"${preview(name)}" ${problem}`);
            break;
          }
          associatedNames.push(name);
        }
      }
    }
    const project = value('project');
    if (project) {
      const problem = nameProblem(project);
      if (problem) fail('project', problem);
    }
    if (errors.length > 0) return errors;

    const companyId = this.companyId(companyName);
    const email = contactEmail ? contactEmail.toLowerCase() : null;
    const contactId = importContactId(this.organizationId, { name: contactName, email }, companyId);
    const earlier = this.contactRows.get(contactId);
    if (earlier !== undefined) {
      return [
        {
          row,
          field: email ? 'contact_email' : 'contact_name',
          reason: email ? `the same contact (email) as row ${earlier}` : `the same contact (name at the same company) as row ${earlier}`,
        },
      ];
    }
    this.contactRows.set(contactId, row);

    this.planCompany(companyId, companyName, companyEmail || null, companyWebsite || null, true);
    const associated: { id: string; name: string }[] = [];
    for (const name of associatedNames) {
      const id = this.companyId(name);
      if (id === companyId || associated.some((a) => a.id === id)) continue;
      this.planCompany(id, name, null, null, false);
      associated.push({ id, name });
    }
    this.rows.push({
      row,
      companyId,
      companyName,
      contactId,
      contact: { name: contactName, email, phone: contactPhone || null },
      associated,
      project: project || null,
    });
    return [];
  }

  private companyId(name: string): string {
    const key = companyMatchKey(name);
    let id = this.companyIds.get(key);
    if (id === undefined) {
      id = importCompanyId(this.organizationId, name);
      this.companyIds.set(key, id);
    }
    return id;
  }

  private planCompany(id: string, name: string, email: string | null, website: string | null, fromPrimaryRow: boolean): void {
    const planned = this.companies.get(id);
    if (planned && (planned.fromPrimaryRow || !fromPrimaryRow)) return;
    this.companies.set(id, { id, key: companyMatchKey(name), name: name.replace(/\s+/g, ' '), email, website, fromPrimaryRow });
  }
}

/** What the organization's directory already holds for a file's company names and contact emails. */
export interface DirectoryMatches {
  /** Per company match key: the ids of the companies (not archived) named like that. */
  companies: ReadonlyMap<string, readonly string[]>;
  /** Per contact email (lower-cased): the ids of the contacts with that address. */
  contacts: ReadonlyMap<string, readonly string[]>;
}

export const SEVERAL_COMPANIES = 'several client companies are named like this';
export const severalCompaniesNamed = (name: string) => `several client companies are named like "${preview(name)}"`;
export const SEVERAL_CONTACTS = 'several contacts have this email address';

export interface ResolvedPlan {
  rows: PlannedRow[];
  /** Rows refused because a name or an email matches more than one record. */
  errors: RowError[];
  invalidRows: number;
  /** The companies the rows name, by the id they resolved to. */
  companies: Map<string, PlannedCompany>;
}

/**
 * Points the planned rows at what the directory already holds, so an import matches records
 * made through the API as well as its own:
 * - a company named like an existing one (same match key, not archived) takes its id; named
 *   like several, the rows naming it are refused (no guess);
 * - a contact with the email of an existing contact takes its id (it is then associated with
 *   the row's companies; its name, email and phone stay as they are); several, refused;
 * - a contact without email is the same contact by its name at its primary company: its id
 *   is derived from the company's resolved id.
 * Anything not found keeps its planned, name-based id. Pure.
 */
export function resolveAgainstDirectory(
  organizationId: string,
  rows: readonly PlannedRow[],
  companies: ReadonlyMap<string, PlannedCompany>,
  matches: DirectoryMatches,
): ResolvedPlan {
  /** Planned company id -> resolved id, or null where several match. */
  const companyIds = new Map<string, string | null>();
  const resolvedCompanies = new Map<string, PlannedCompany>();
  for (const company of companies.values()) {
    const found = matches.companies.get(company.key) ?? [];
    const id = found.length === 0 ? company.id : found.length === 1 ? found[0] : null;
    companyIds.set(company.id, id);
    if (id !== null) resolvedCompanies.set(id, { ...company, id });
  }
  const resolved: PlannedRow[] = [];
  const errors: RowError[] = [];
  let invalidRows = 0;
  for (const row of rows) {
    const rowErrors: RowError[] = [];
    const companyId = companyIds.get(row.companyId) ?? null;
    if (companyId === null) rowErrors.push({ row: row.row, field: 'company_name', reason: SEVERAL_COMPANIES });
    let contactId = row.contactId;
    if (row.contact.email) {
      const found = matches.contacts.get(row.contact.email) ?? [];
      if (found.length === 1) contactId = found[0];
      else if (found.length > 1) rowErrors.push({ row: row.row, field: 'contact_email', reason: SEVERAL_CONTACTS });
    } else if (companyId !== null && companyId !== row.companyId) {
      contactId = importContactId(organizationId, row.contact, companyId);
    }
    const associated: { id: string; name: string }[] = [];
    for (const other of row.associated) {
      const id = companyIds.get(other.id) ?? null;
      if (id === null) rowErrors.push({ row: row.row, field: 'associated_companies', reason: severalCompaniesNamed(other.name) });
      else if (id !== companyId && !associated.some((a) => a.id === id)) associated.push({ id, name: other.name });
    }
    if (rowErrors.length > 0) {
      invalidRows++;
      errors.push(...rowErrors);
    } else {
      resolved.push({ ...row, companyId: companyId!, contactId, associated });
    }
  }
  return { rows: resolved, errors, invalidRows, companies: resolvedCompanies };
}

function checkName(name: string, fail: (reason: string) => void): void {
  if (!name) return fail('is required');
  const problem = nameProblem(name);
  if (problem) fail(problem);
}

function nameProblem(name: string): string | null {
  if (tooLong(name, MAX_NAME_LENGTH)) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return 'must not contain line breaks or control characters';
  return null;
}

function checkEmail(email: string, fail: (reason: string) => void): void {
  if (tooLong(email, MAX_EMAIL_LENGTH)) fail(`is longer than ${MAX_EMAIL_LENGTH} characters`);
  else if (!isEmail(email)) fail('is not a valid email address');
}

/** Length in characters (code points), as the API's validation counts it. */
function tooLong(value: string, max: number): boolean {
  if (value.length <= max) return false;
  let count = 0;
  for (const _ of value) if (++count > max) return true;
  return false;
}

function preview(name: string): string {
  const flat = name.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 40)}…` : flat;
}
