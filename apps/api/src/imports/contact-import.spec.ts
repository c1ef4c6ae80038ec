import { HeaderError, importCompanyId, importContactId, ImportPlanner, normalizeName, readHeader } from './contact-import';
import { parseCsv } from './csv';
import { ensureClientCompany, importContact } from './import-deciders';

const ORG = 'org-1';

function plan(csv: string) {
  const parsed = parseCsv(csv);
  const planner = new ImportPlanner(ORG, readHeader(parsed.header), parsed.header.length);
  parsed.records.forEach((r) => planner.add(r));
  return planner;
}

describe('contacts CSV: header', () => {
  it('matches columns case-insensitively, trimmed, in any order', () => {
    const index = readHeader([' Contact_Name ', 'COMPANY_NAME', 'associated_companies']);
    expect(index).toMatchObject({ contact_name: 0, company_name: 1, associated_companies: 2, contact_email: -1 });
  });

  it('refuses unknown, repeated and missing required columns, naming them', () => {
    expect(() => readHeader(['company_name', 'contact_name', 'Fax', 'notes'])).toThrow('unknown columns "Fax", "notes"');
    expect(() => readHeader(['company_name', 'contact_email'])).toThrow('missing required column contact_name');
    try {
      readHeader(['company_name', 'company_name', 'contact_name', '']);
      fail('expected a HeaderError');
    } catch (error) {
      expect(error).toBeInstanceOf(HeaderError);
      expect((error as HeaderError).errors).toEqual([
        { field: 'company_name', message: 'the column appears twice' },
        { field: 'column 4', message: 'the header has an empty column name' },
      ]);
    }
  });
});

describe('contacts CSV: rows', () => {
  it('derives the same ids from names that differ only in case, width and spaces', () => {
    expect(normalizeName('  ＡＣＭＥ   Logistics ')).toBe('acme logistics');
    expect(importCompanyId(ORG, 'Acme  Logistics')).toBe(importCompanyId(ORG, 'acme logistics'));
    expect(importCompanyId(ORG, 'Acme')).not.toBe(importCompanyId('org-2', 'Acme'));
    const company = importCompanyId(ORG, 'Acme');
    expect(importContactId(ORG, { name: 'Ana', email: 'ANA@x.example' }, company)).toBe(importContactId(ORG, { name: 'Other', email: 'ana@x.example' }, 'elsewhere'));
    expect(importContactId(ORG, { name: 'Ana  Souza', email: null }, company)).toBe(importContactId(ORG, { name: 'ana souza', email: null }, company));
  });

  it('reports every bad field of a row, and duplicates after the first occurrence', () => {
    const planner = plan(
      [
        'company_name,company_email,company_website,contact_name,contact_email,contact_phone,associated_companies',
        'Acme,office@acme.example,acme.example,Ana,ana@acme.example,+55 11 5555,Beta|acme|Gamma|Beta',
        ',not-an-email,not a url,,bad@,,',
        `${'x'.repeat(201)},,,Bob,,${'9'.repeat(41)},`,
        'Beta,,,Ana again,ANA@acme.example,,',
        'Beta,,,Carl,,,',
        'beta,,,carl,,,',
        'Gamma,,,Dee,,,',
        'too,few',
      ].join('\n'),
    );
    expect(planner.errors).toEqual([
      { row: 2, field: 'company_name', reason: 'is required' },
      { row: 2, field: 'company_email', reason: 'is not a valid email address' },
      { row: 2, field: 'company_website', reason: 'is not a valid web address' },
      { row: 2, field: 'contact_name', reason: 'is required' },
      { row: 2, field: 'contact_email', reason: 'is not a valid email address' },
      { row: 3, field: 'company_name', reason: 'is longer than 200 characters' },
      { row: 3, field: 'contact_phone', reason: 'is longer than 40 characters' },
      { row: 4, field: 'contact_email', reason: 'the same contact (email) as row 1' },
      { row: 6, field: 'contact_name', reason: 'the same contact (name at the same company) as row 5' },
      { row: 8, field: null, reason: 'the row has 2 fields, the header has 7' },
    ]);
    expect(planner.invalidRows).toBe(5);
    expect(planner.rows.map((r) => r.row)).toEqual([1, 5, 7]);
    const [first] = planner.rows;
    expect(first.contact).toEqual({ name: 'Ana', email: 'ana@acme.example', phone: '+55 11 5555' });
    expect(first.associated.map((a) => a.name)).toEqual(['Beta', 'Gamma']);
    // Gamma was first named as an associated company, then in a row of its own: that row's details count.
    expect([...planner.companies.values()].map((c) => [c.name, c.email, c.website])).toEqual([
      ['Acme', 'office@acme.example', 'acme.example'],
      ['Beta', null, null],
      ['Gamma', null, null],
    ]);
    expect(planner.companies.get(importCompanyId(ORG, 'Gamma'))!.fromPrimaryRow).toBe(true);
  });
});

describe('import deciders', () => {
  it('register a company once, and add a contact once with its associations', () => {
    const register = { type: 'RegisterClientCompany' as const, clientId: 'c1', name: 'Acme' };
    const registered = ensureClientCompany.decide(register, ensureClientCompany.initialState());
    expect(registered.map((e) => e.type)).toEqual(['ClientCompanyRegistered']);
    expect(ensureClientCompany.decide(register, registered.reduce(ensureClientCompany.evolve, ensureClientCompany.initialState()))).toEqual([]);

    const command = {
      type: 'ImportContact' as const,
      add: { type: 'AddContact' as const, contactId: 'p1', clientId: 'c1', name: 'Ana', email: 'ana@x.example' },
      associate: ['c2', 'c3'],
    };
    const events = importContact.decide(command, importContact.initialState());
    expect(events.map((e) => e.type)).toEqual(['ContactAdded', 'ContactAssociated', 'ContactAssociated']);
    const state = events.reduce(importContact.evolve, importContact.initialState());
    expect(importContact.decide(command, state)).toEqual([]);
    // The same person in another file, under another company: associated with it, not moved.
    const elsewhere = importContact.decide({ ...command, add: { ...command.add, clientId: 'c9' }, associate: [] }, state);
    expect(elsewhere).toEqual([{ type: 'ContactAssociated', data: { contactId: 'p1', clientId: 'c9' } }]);
  });
});
