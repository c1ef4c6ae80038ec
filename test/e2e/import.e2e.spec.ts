import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OPERATOR_ORGANIZATION_ID } from '../../apps/api/src/auth/api-keys';
import { importCompanyId, importContactId } from '../../apps/api/src/imports/contact-import';
import { removeDataDir, startApp, tempDataDir, TestApp } from '../support/app';

/** CSV import of the directory, end to end over real HTTP on a temp DATA_DIR. */
describe('contacts import (e2e)', () => {
  let api: TestApp;
  const csv = { 'content-type': 'text/csv' };

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  const head = async (): Promise<number> => (await api.request('GET', '/health')).body.headPosition;

  async function finished(id: string, timeoutMs = 30_000, headers: Record<string, string> = {}): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const progress = await api.request('GET', `/v1/imports/${id}`, undefined, headers);
      expect(progress.status).toBe(200);
      if (progress.body.status === 'completed' || progress.body.status === 'failed') return progress.body;
      if (Date.now() > deadline) throw new Error(`import ${id} not finished in ${timeoutMs} ms: ${JSON.stringify({ ...progress.body, errors: undefined })}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function importCsv(body: string | Buffer, headers: Record<string, string> = {}): Promise<any> {
    const response = await fetch(`${api.url}/v1/imports/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.apiKey}`, ...csv, ...headers },
      body,
    });
    const json = (await response.json()) as any;
    expect({ status: response.status, body: json }).toEqual({
      status: 202,
      body: { id: expect.any(String), status: 'queued', rows: expect.any(Number), position: 0, queuePosition: expect.any(Number) },
    });
    expect(response.headers.get('location')).toBe(`/v1/imports/${json.id}`);
    return json;
  }

  const SMALL = [
    'company_name,company_email,company_website,contact_name,contact_email,contact_phone,associated_companies',
    'Acme Logistics,office@acme.example,https://acme.example,Ana Souza,ana@acme.example,+55 11 5555-0100,Acme Freight|Beta Corp',
    'Acme Logistics,,,Bruno Lima,bruno@acme.example,,',
    '"Beta Corp","info@beta.example",,"Carla ""CJ"" Jones, PhD",,,',
    'acme logistics,,,Dora,not-an-email,,',
    ',,,Eve,eve@x.example,,',
    'Beta Corp,,,Fay,ANA@acme.example,,',
    'Gamma,,,Gus,gus@gamma.example,,"Acme Logistics|Acme Logistics"',
  ];
  const SMALL_ERRORS = [
    { row: 4, field: 'contact_email', reason: 'is not a valid email address' },
    { row: 5, field: 'company_name', reason: 'is required' },
    { row: 6, field: 'contact_email', reason: 'the same contact (email) as row 1' },
  ];

  it('applies the valid rows, reports the bad ones exactly, and a second import changes nothing', async () => {
    const file = SMALL.join('\n') + '\n';
    const accepted = await importCsv(file);
    expect(accepted.rows).toBe(7);
    const report = await finished(accepted.id);
    expect(report).toMatchObject({
      id: accepted.id,
      kind: 'contacts',
      status: 'completed',
      rows: 7,
      processed: 7,
      applied: 4,
      created: 4,
      unchanged: 0,
      invalid: 3,
      errorCount: 3,
      errors: SMALL_ERRORS,
      companiesRegistered: 4, // Acme Logistics, Acme Freight, Beta Corp, Gamma
      contactsAdded: 4,
      associationsAdded: 3,
      failure: null,
    });
    expect(report.organizationId).toBeUndefined();
    expect(Date.parse(report.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));

    // The events: channel import, correlated by the import id, made by the key that imported.
    const acme = importCompanyId(OPERATOR_ORGANIZATION_ID, 'Acme Logistics');
    const ana = importContactId(OPERATOR_ORGANIZATION_ID, { name: 'Ana Souza', email: 'ana@acme.example' }, acme);
    const position = report.position;
    expect(position).toBe(await head());
    const audit = await api.request('GET', `/v1/audit?subjectId=${ana}&minPosition=${position}`);
    expect(audit.body.items.map((i: any) => [i.type, i.channel, i.correlationId, i.actor.kind])).toEqual([
      ['ContactAdded', 'import', accepted.id, 'staff'],
      ['ContactAssociated', 'import', accepted.id, 'staff'],
      ['ContactAssociated', 'import', accepted.id, 'staff'],
    ]);
    expect(audit.body.items[0].data).toEqual({ contactId: ana, clientId: acme, name: 'Ana Souza', email: 'ana@acme.example', phone: '+55 11 5555-0100' });
    // Beta Corp was named as an associated company first; its details come from its own row.
    const beta = await api.request('GET', `/v1/audit?subjectId=${importCompanyId(OPERATOR_ORGANIZATION_ID, 'beta corp')}&minPosition=${position}`);
    expect(beta.body.items.filter((i: any) => i.type.startsWith('ClientCompany')).map((i: any) => [i.type, i.data])).toEqual([
      ['ClientCompanyRegistered', { clientId: importCompanyId(OPERATOR_ORGANIZATION_ID, 'Beta Corp'), name: 'Beta Corp', email: 'info@beta.example', website: null }],
    ]);
    // The company's own API sees it: contacts can be added to it.
    expect((await api.request('POST', `/v1/clients/${acme}/contacts`, { name: 'Added by hand' })).status).toBe(201);

    // The same file again, and the same rows as a semicolon file with a BOM and CRLF: nothing written.
    const before = await head();
    const again = await finished((await importCsv(file)).id);
    expect(again).toMatchObject({ status: 'completed', rows: 7, applied: 4, created: 0, unchanged: 4, invalid: 3, errors: SMALL_ERRORS });
    expect(again).toMatchObject({ companiesRegistered: 0, contactsAdded: 0, associationsAdded: 0, position: 0 });
    const semicolons = '\ufeff' + SMALL.map((line) => line.replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/g, ';')).join('\r\n');
    const reencoded = await finished((await importCsv(semicolons, { 'content-type': 'text/csv; charset=utf-8' })).id);
    expect(reencoded).toMatchObject({ status: 'completed', applied: 4, created: 0, unchanged: 4, errors: SMALL_ERRORS });
    expect(await head()).toBe(before);
  });

  it("keeps organizations apart: another organization's import id answers 404, its own import is its own", async () => {
    const org = await api.request('POST', '/v1/organizations', { name: 'Import Org B' });
    expect(org.status).toBe(201);
    const other = { authorization: `Bearer ${org.body.adminKey}` };
    const mine = await importCsv(SMALL.join('\n'));
    await finished(mine.id);
    const peek = await api.request('GET', `/v1/imports/${mine.id}`, undefined, other);
    expect(peek.status).toBe(404);
    expect(peek.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.request('GET', `/v1/imports/${randomUUID()}`)).status).toBe(404);
    expect((await api.request('GET', '/v1/imports/not-a-uuid')).status).toBe(404);

    // The same file in organization B creates B's own companies and contacts.
    const theirs = await importCsv(SMALL.join('\n'), other);
    const report = await finished(theirs.id, 30_000, other);
    expect(report).toMatchObject({ status: 'completed', applied: 4, created: 4, companiesRegistered: 4 });
    expect((await api.request('GET', `/v1/imports/${theirs.id}`)).status).toBe(404);
  });

  it('honours Idempotency-Key: a retried upload is the same import', async () => {
    const key = { 'idempotency-key': `import-${randomUUID()}` };
    const first = await importCsv(SMALL.join('\n'), key);
    const retried = await fetch(`${api.url}/v1/imports/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.apiKey}`, ...csv, ...key },
      body: SMALL.join('\n'),
    });
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as any).id).toBe(first.id);
    await finished(first.id);
  });

  it('refuses a bad file whole, as problem+json, writing nothing', async () => {
    const cases: { body: string | Buffer; headers?: Record<string, string>; status: number; type: string; detail?: RegExp }[] = [
      { body: 'company_name,contact_name,Fax,notes\nA,B,C,D\n', status: 422, type: '/problems/invalid-csv-header', detail: /unknown columns "Fax", "notes"/ },
      { body: 'company_name;contact_email\nA;a@b.example\n', status: 422, type: '/problems/invalid-csv-header', detail: /missing required column contact_name/ },
      { body: Buffer.concat([Buffer.from('company_name,contact_name\nCaf'), Buffer.from([0xe9]), Buffer.from(',Jos\n')]), status: 422, type: '/problems/invalid-utf8', detail: /line 2/ },
      { body: 'company_name,contact_name\nA,"B\nC,D\n', status: 422, type: '/problems/malformed-csv', detail: /opened on line 2 is never closed/ },
      { body: '', status: 422, type: '/problems/empty-file' },
      { body: '\ufeff\r\n', status: 422, type: '/problems/empty-file' },
      { body: 'company_name,contact_name\n', status: 422, type: '/problems/no-rows' },
      { body: 'company_name,contact_name\n' + 'A,B\n'.repeat(100_001), status: 413, type: '/problems/too-many-rows' },
      { body: '{"company_name":"A"}', headers: { 'content-type': 'application/json' }, status: 415, type: '/problems/unsupported-media-type' },
      { body: 'company_name,contact_name\nA,B\n', headers: { 'content-type': 'text/csv; charset=iso-8859-1' }, status: 415, type: '/problems/unsupported-media-type' },
    ];
    const before = await head();
    for (const c of cases) {
      const response = await fetch(`${api.url}/v1/imports/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.apiKey}`, ...csv, ...c.headers },
        body: c.body,
      });
      const problem = (await response.json()) as any;
      expect({ status: response.status, type: problem.type }).toEqual({ status: c.status, type: c.type });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      if (c.detail) expect(problem.detail).toMatch(c.detail);
    }
    expect(await head()).toBe(before);
  });

  it('imports 100,000 rows in the background, logging its progress, and reports exactly the bad ones', async () => {
    const { file, expected } = bigFile();
    const logged = jest.spyOn(Logger.prototype, 'log');
    const started = Date.now();
    const accepted = await importCsv(file);
    const acceptedMs = Date.now() - started;
    expect(accepted.rows).toBe(100_000);
    const report = await finished(accepted.id, 280_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `100,000-row import (${(file.length / 1e6).toFixed(1)} MB): accepted in ${acceptedMs} ms, completed in ${seconds.toFixed(1)} s ` +
        `(${Math.round(100_000 / seconds)} rows/s; ${report.companiesRegistered} companies, ${report.contactsAdded} contacts, ${report.associationsAdded} associations)`,
    );
    expect(report).toMatchObject({
      status: 'completed',
      rows: 100_000,
      processed: 100_000,
      applied: 100_000 - expected.length,
      created: 100_000 - expected.length,
      unchanged: 0,
      invalid: expected.length,
      errorCount: expected.length,
      companiesRegistered: 5_000,
      contactsAdded: 100_000 - expected.length,
      associationsAdded: 2 * (10_000 - expected.length),
      failure: null,
    });
    expect(report.errors).toEqual(expected);

    // The log tells how far it is while it runs, and how it ended.
    const lines = logged.mock.calls.map(([message]) => String(message)).filter((message) => message.startsWith(`Import ${accepted.id}`));
    logged.mockRestore();
    expect(lines[0]).toMatch(/^Import \S+ accepted: 100,000 rows \([\d,]+ bytes\), \d+ imports before it$/);
    const progress = lines.filter((line) => / of 100,000 rows /.test(line));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/^Import \S+: [\d,]+ of 100,000 rows \(\d+%\), [\d,]+ rows\/s, (about \d+ s left|waiting); position \d+$/);
    expect(lines.at(-1)).toMatch(new RegExp(`^Import \\S+ completed: 100,000 rows, [\\d,]+ applied .* refused, in [\\d.]+ s; position ${report.position}$`));
  }, 300_000);
});

describe('contacts import across a restart (e2e)', () => {
  it('records an import cut short by a shutdown as failed; importing the file again finishes the job', async () => {
    const dataDir = tempDataDir();
    const rows = 10_000;
    const file = ['company_name,contact_name,contact_email', ...Array.from({ length: rows }, (_, k) => `Company ${k % 100},Person ${k},p${k}@example.test`)].join('\n');
    let api = await startApp({}, dataDir);
    try {
      const post = (body: string) => api.request('POST', '/v1/imports/contacts', body, { 'content-type': 'text/csv' });
      const get = async (id: string) => (await api.request('GET', `/v1/imports/${id}`)).body;
      const accepted = await post(file);
      expect(accepted.status).toBe(202);
      const deadline = Date.now() + 20_000;
      while ((await get(accepted.body.id)).processed < 500 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await api.close();

      api = await startApp({}, dataDir);
      const interrupted = await get(accepted.body.id);
      expect(interrupted).toMatchObject({ status: 'failed', rows, failure: expect.stringMatching(/^Interrupted: the service shut down after \d+ of 10000 rows/) });
      expect(interrupted.applied).toBeGreaterThanOrEqual(500);
      expect(interrupted.applied).toBeLessThan(rows);
      expect(interrupted.finishedAt).toEqual(expect.any(String));

      const again = await post(file);
      let report = await get(again.body.id);
      while (report.status === 'queued' || report.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 50));
        report = await get(again.body.id);
      }
      expect(report).toMatchObject({ status: 'completed', applied: rows, unchanged: interrupted.applied, created: rows - interrupted.applied, errors: [] });
    } finally {
      await api.close();
      removeDataDir(dataDir);
    }
  }, 60_000);
});

/**
 * 100,000 rows over 5,000 companies, semicolon-separated with a BOM and CRLF, some names
 * quoted (with `;` and `"` inside), every 13th contact without an email, every 10th with two
 * associated companies; 50 bad rows (every 2,000th from row 1,000), of five kinds.
 */
function bigFile(): { file: string; expected: { row: number; field: string; reason: string }[] } {
  const company = (n: number) => `Company ${String(n % 5000).padStart(4, '0')}`;
  const lines = ['\ufeffCompany_Name;Contact_Name;Contact_Email;Contact_Phone;Associated_Companies'];
  const expected: { row: number; field: string; reason: string }[] = [];
  for (let row = 1; row <= 100_000; row++) {
    let name = row % 7 === 0 ? `"Person ${row}; ""the ${row}th"""` : `Person ${row}`;
    let email = row % 13 === 0 ? '' : `person${row}@example.test`;
    const phone = row % 3 === 0 ? `+1 555 ${String(row).padStart(6, '0')}` : '';
    let associated = row % 10 === 0 ? `${company(row + 1)}|${company(row + 2)}` : '';
    if (row % 2000 === 1000) {
      switch (((row - 1000) / 2000) % 5) {
        case 0:
          email = `person${row}.example.test`;
          expected.push({ row, field: 'contact_email', reason: 'is not a valid email address' });
          break;
        case 1:
          name = '';
          expected.push({ row, field: 'contact_name', reason: 'is required' });
          break;
        case 2:
          name = 'N'.repeat(201);
          expected.push({ row, field: 'contact_name', reason: 'is longer than 200 characters' });
          break;
        case 3:
          email = 'PERSON1@example.test';
          expected.push({ row, field: 'contact_email', reason: 'the same contact (email) as row 1' });
          break;
        case 4:
          associated = `${company(row + 1)}|${'A'.repeat(250)}`;
          expected.push({ row, field: 'associated_companies', reason: `"${'A'.repeat(40)}…" is longer than 200 characters` });
          break;
      }
    }
    lines.push([company(row), name, email, phone, associated].join(';'));
  }
  return { file: lines.join('\r\n') + '\r\n', expected };
}
