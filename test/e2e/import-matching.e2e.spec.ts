import { OPERATOR_ORGANIZATION_ID } from '../../apps/api/src/auth/api-keys';
import { importCompanyId } from '../../apps/api/src/imports/contact-import';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';

/**
 * The contacts import matches what the directory already holds: companies made through the
 * API by name (case, accents and width aside), contacts by email (case aside).
 */
describe('contacts import matching the directory (e2e)', () => {
  let api: TestApp;
  let position = 0;

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  const head = async (): Promise<number> => (await api.request('GET', '/health')).body.headPosition;

  async function write(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await api.request(method, path, body);
    expect({ path, status: response.status }).toEqual({ path, status: expect.any(Number) });
    expect(response.status).toBeLessThan(300);
    position = Math.max(position, response.body?.position ?? 0);
    return response;
  }
  const createClient = async (name: string) => (await write('POST', '/v1/clients', { name })).body.id as string;

  /** Every item of a list (one page is enough here), read after every write so far. */
  async function list(path: string, params: Record<string, string>): Promise<any[]> {
    const query = new URLSearchParams({ ...params, limit: '100', minPosition: String(position) });
    const response = await api.request('GET', `${path}?${query}`);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    return response.body.items;
  }

  /** Imports a file (no waiting for projections: the import waits for them itself) and answers its report. */
  async function importCsv(lines: string[]): Promise<any> {
    const accepted = await api.request('POST', '/v1/imports/contacts', lines.join('\n'), { 'content-type': 'text/csv' });
    expect(accepted.status).toBe(202);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const progress = await api.request('GET', `/v1/imports/${accepted.body.id}`);
      expect(progress.status).toBe(200);
      if (progress.body.status === 'completed' || progress.body.status === 'failed') {
        position = Math.max(position, progress.body.position);
        return progress.body;
      }
      if (Date.now() > deadline) throw new Error(`import not finished: ${JSON.stringify(progress.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('uses the companies and contacts made through the API instead of duplicating them; a second import changes nothing', async () => {
    const acme = await createClient('Acme Logistics');
    const beta = await createClient('Beta Corp');
    const ana = (await write('POST', `/v1/clients/${acme}/contacts`, { name: 'Ana Souza', email: 'ana@acme.example', phone: '+55 11 5555-0100' })).body.id as string;
    const archived = await createClient('Old Name Ltd');
    await write('DELETE', `/v1/clients/${archived}`);

    const file = [
      'company_name,contact_name,contact_email,contact_phone,associated_companies',
      'ACME LOGÍSTICS,Ana S.,ANA@Acme.Example,+1 999,',
      'acme  logistics,Bruno Lima,bruno@acme.example,,Ｂｅｔａ Corp',
      'New Company,Carla,carla@new.example,,Acme Logistics',
      'Old Name Ltd,Dora,dora@old.example,,',
    ];
    const report = await importCsv(file);
    expect(report).toMatchObject({
      status: 'completed',
      rows: 4,
      processed: 4,
      applied: 4,
      created: 3,
      unchanged: 1, // Ana: already there, with Acme as her primary company
      invalid: 0,
      errors: [],
      companiesRegistered: 2, // New Company, and Old Name Ltd anew (the archived one is not matched)
      contactsAdded: 3,
      associationsAdded: 2, // Bruno with Beta Corp, Carla with Acme Logistics
      failure: null,
    });

    // One Acme, one Beta: the API's.
    expect((await list('/v1/clients', { q: 'acme' })).map((c) => [c.id, c.name])).toEqual([[acme, 'Acme Logistics']]);
    expect((await list('/v1/clients', { q: 'beta' })).map((c) => c.id)).toEqual([beta]);
    expect((await list('/v1/clients', { q: 'old name' })).map((c) => c.id)).toEqual([importCompanyId(OPERATOR_ORGANIZATION_ID, 'Old Name Ltd')]);
    // One Ana, the API's, left as she was.
    const anas = await list('/v1/contacts', { q: 'ana' });
    expect(anas).toHaveLength(1);
    expect(anas[0]).toMatchObject({ id: ana, name: 'Ana Souza', email: 'ana@acme.example', phone: '+55 11 5555-0100', clientId: acme });
    expect((await list('/v1/contacts', { email: 'ANA@acme.example' })).map((c) => c.id)).toEqual([ana]);
    // The imported contacts sit with the API's companies.
    const byName = Object.fromEntries((await list('/v1/contacts', {})).map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['Ana Souza', 'Bruno Lima', 'Carla', 'Dora']);
    expect(byName['Bruno Lima']).toMatchObject({ clientId: acme, clientIds: [acme, beta].sort() });
    expect(byName['Carla'].clientIds).toContain(acme);
    expect((await list('/v1/contacts', { clientId: acme })).map((c) => c.name).sort()).toEqual(['Ana Souza', 'Bruno Lima', 'Carla']);

    // The same file again: everything is recognized, nothing is written.
    const before = await head();
    const again = await importCsv(file);
    expect(again).toMatchObject({ status: 'completed', applied: 4, created: 0, unchanged: 4, invalid: 0, errors: [], position: 0 });
    expect(await head()).toBe(before);
  });

  it('refuses the rows naming a company that several directory companies match, applying the rest', async () => {
    await createClient('Twin Company');
    await createClient('twin   COMPANY');
    const file = [
      'company_name,contact_name,contact_email,associated_companies',
      'Twin Company,Xavier,xavier@twin.example,',
      'Other Company,Yara,yara@other.example,Twin Company',
      'Solo Company,Zed,zed@solo.example,',
    ];
    const before = await head();
    const report = await importCsv(file);
    expect(report).toMatchObject({
      status: 'completed',
      rows: 3,
      processed: 3,
      applied: 1,
      created: 1,
      invalid: 2,
      errorCount: 2,
      errors: [
        { row: 1, field: 'company_name', reason: 'several client companies are named like this' },
        { row: 2, field: 'associated_companies', reason: 'several client companies are named like "Twin Company"' },
      ],
      companiesRegistered: 1,
      contactsAdded: 1,
    });
    expect(report.position).toBeGreaterThan(before);
    // The refused rows changed nothing: no Xavier, no Yara, no Other Company; still two twins.
    expect(await list('/v1/contacts', { email: 'xavier@twin.example' })).toEqual([]);
    expect(await list('/v1/contacts', { email: 'yara@other.example' })).toEqual([]);
    expect(await list('/v1/clients', { q: 'other company' })).toEqual([]);
    expect(await list('/v1/clients', { q: 'twin' })).toHaveLength(2);
    expect((await list('/v1/contacts', { email: 'zed@solo.example' })).map((c) => c.name)).toEqual(['Zed']);
  });
});
