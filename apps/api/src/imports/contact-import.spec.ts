import {
  companyMatchKey,
  HeaderError,
  importCompanyId,
  importContactId,
  ImportPlanner,
  normalizeName,
  readHeader,
  resolveAgainstDirectory,
  SEVERAL_COMPANIES,
  SEVERAL_CONTACTS,
} from './contact-import';
import { parseCsv } from './csv';

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

  it('refuses a row with control characters in any column, as the API refuses them in any field', () => {
    const planner = plan('company_name,contact_name,contact_email\nAcme,Ana,ana\u0085@x.example\nAcme,Bo\u0007b,bob@x.example\nAcme,Cy,cy@x.example\n');
    expect(planner.errors).toEqual([
      { row: 1, field: 'contact_email', reason: 'contains a control character (U+0085)' },
      { row: 2, field: 'contact_name', reason: 'contains a control character (U+0007)' },
    ]);
    expect(planner.rows.map((r) => r.row)).toEqual([3]);
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

describe('contacts CSV: the project column', () => {
  it('is optional; a row names its project by name, checked like a name', () => {
    const planner = plan(['company_name,contact_name,project', `Acme,Ana,  Warehouse move `, 'Acme,Bo,', `Acme,Cy,${'p'.repeat(201)}`].join('\n'));
    expect(planner.rows.map((r) => [r.contact.name, r.project])).toEqual([
      ['Ana', 'Warehouse move'],
      ['Bo', null],
    ]);
    expect(planner.errors).toEqual([{ row: 3, field: 'project', reason: 'is longer than 200 characters' }]);
    expect(plan('company_name,contact_name\nAcme,Ana').rows[0].project).toBeNull();
  });
});

describe('contacts CSV: companies named alike', () => {
  it('are one company within a file when names differ only in case, accents, width or spaces; the first spelling gives the id', () => {
    expect(companyMatchKey('  ＡＣＭＥ   Logística ')).toBe('acme logistica');
    const planner = plan(['company_name,contact_name,associated_companies', 'Café Lumière,Ana,CAFE LUMIERE|Beta', 'cafe  lumiere,Bob,Béta'].join('\n'));
    expect(planner.errors).toEqual([]);
    const cafe = importCompanyId(ORG, 'Café Lumière');
    expect(planner.rows.map((r) => [r.companyId, r.associated.map((a) => a.id)])).toEqual([
      [cafe, [importCompanyId(ORG, 'Beta')]],
      [cafe, [importCompanyId(ORG, 'Beta')]],
    ]);
    expect([...planner.companies.values()].map((c) => [c.name, c.key])).toEqual([
      ['Café Lumière', 'cafe lumiere'],
      ['Beta', 'beta'],
    ]);
  });
});

describe('contacts CSV: matching the directory', () => {
  const file = [
    'company_name,contact_name,contact_email,associated_companies',
    'Acme Logística,Ana Souza,ANA@acme.example,Twins',
    'ACME LOGISTICA,Bruno,,',
    'New Co,Carla,carla@new.example,Acme Logistica',
    'Twins,Dora,,',
    'New Co,Eve,eve@dup.example,',
  ].join('\n');
  const planned = () => plan(file);
  const acme = importCompanyId(ORG, 'Acme Logística');
  const newCo = importCompanyId(ORG, 'New Co');
  const twins = importCompanyId(ORG, 'Twins');

  it('keeps the planned ids where the directory holds nothing', () => {
    const p = planned();
    const resolved = resolveAgainstDirectory(ORG, p.rows, p.companies, { companies: new Map(), contacts: new Map() });
    expect(resolved.errors).toEqual([]);
    expect(resolved.rows).toEqual(p.rows);
    expect([...resolved.companies.keys()]).toEqual([...p.companies.keys()]);
  });

  it('uses the ids of existing companies and contacts; a contact without email follows its resolved company', () => {
    const p = planned();
    const resolved = resolveAgainstDirectory(ORG, p.rows, p.companies, {
      companies: new Map([
        ['acme logistica', ['api-acme']],
        ['twins', ['api-twins']],
      ]),
      contacts: new Map([['ana@acme.example', ['api-ana']]]),
    });
    expect(resolved.errors).toEqual([]);
    expect(resolved.rows.map((r) => [r.row, r.companyId, r.contactId, r.associated.map((a) => a.id)])).toEqual([
      [1, 'api-acme', 'api-ana', ['api-twins']],
      [2, 'api-acme', importContactId(ORG, { name: 'Bruno', email: null }, 'api-acme'), []],
      [3, newCo, importContactId(ORG, { name: 'Carla', email: 'carla@new.example' }, newCo), ['api-acme']],
      [4, 'api-twins', importContactId(ORG, { name: 'Dora', email: null }, 'api-twins'), []],
      [5, newCo, importContactId(ORG, { name: 'Eve', email: 'eve@dup.example' }, newCo), []],
    ]);
    // The details of a company to register stay with it, under its resolved id.
    expect(resolved.companies.get('api-acme')).toMatchObject({ id: 'api-acme', name: 'Acme Logística', fromPrimaryRow: true });
    expect(resolved.companies.get(newCo)).toMatchObject({ id: newCo, name: 'New Co' });
    expect(resolved.companies.has(acme)).toBe(false);
  });

  it('refuses the rows naming a company that several directory companies match, or an email several contacts have', () => {
    const p = planned();
    const resolved = resolveAgainstDirectory(ORG, p.rows, p.companies, {
      companies: new Map([['acme logistica', ['api-acme-1', 'api-acme-2']]]),
      contacts: new Map([['eve@dup.example', ['eve-1', 'eve-2']]]),
    });
    expect(resolved.errors).toEqual([
      { row: 1, field: 'company_name', reason: SEVERAL_COMPANIES },
      { row: 2, field: 'company_name', reason: SEVERAL_COMPANIES },
      { row: 3, field: 'associated_companies', reason: 'several client companies are named like "Acme Logistica"' },
      { row: 5, field: 'contact_email', reason: SEVERAL_CONTACTS },
    ]);
    expect(resolved.invalidRows).toBe(4);
    expect(resolved.rows.map((r) => [r.row, r.companyId])).toEqual([[4, twins]]);
    expect(resolved.companies.has(acme)).toBe(false);
  });
});
