import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';

/** Directory lists, filters, pagination and the multilingual name search, over real HTTP. */
describe('directory search (e2e)', () => {
  let api: TestApp;
  let other: { id: string; adminKey: string };
  /** The latest position written: reads pass it as minPosition to see every write before them. */
  let position = 0;

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const CLIENT_FIELDS = ['address', 'archived', 'archivedAt', 'createdAt', 'email', 'id', 'name', 'organizationId', 'updatedAt', 'website'];
  const CONTACT_FIELDS = ['clientId', 'clientIds', 'createdAt', 'email', 'id', 'name', 'organizationId', 'phone', 'updatedAt'];

  beforeAll(async () => {
    api = await startApp();
    const created = await api.request('POST', '/v1/organizations', { name: 'Other Org KK' });
    expect(created.status).toBe(201);
    other = { id: created.body.id, adminKey: created.body.adminKey };
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  async function write(method: string, path: string, body?: unknown, key = api.apiKey): Promise<Response> {
    const response = await api.request(method, path, body, as(key));
    expect({ path, status: response.status, body: response.body }).toEqual({ path, status: expect.any(Number), body: expect.anything() });
    expect(response.status).toBeLessThan(300);
    position = Math.max(position, response.body.position);
    return response;
  }
  const createClient = async (body: Record<string, unknown>, key = api.apiKey) => (await write('POST', '/v1/clients', body, key)).body.id as string;
  const createContact = async (clientId: string, body: Record<string, unknown>, key = api.apiKey) =>
    (await write('POST', `/v1/clients/${clientId}/contacts`, body, key)).body.id as string;

  /** A GET that waits for every write so far. */
  async function read(path: string, params: Record<string, string | number> = {}, key = api.apiKey): Promise<Response> {
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), minPosition: String(position) });
    return api.request('GET', `${path}?${query}`, undefined, as(key));
  }
  async function names(path: string, params: Record<string, string | number> = {}, key = api.apiKey): Promise<string[]> {
    const response = await read(path, { limit: 200, ...params }, key);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    return (response.body.items as Array<{ name: string }>).map((item) => item.name).sort();
  }
  /** Every page, following nextCursor. */
  async function allPages(path: string, params: Record<string, string | number>): Promise<Array<Array<{ id: string; name: string }>>> {
    const pages: Array<Array<{ id: string; name: string }>> = [];
    let cursor: string | undefined;
    for (;;) {
      const response = await read(path, cursor ? { ...params, cursor } : params);
      expect(response.status).toBe(200);
      pages.push(response.body.items);
      if (response.body.nextCursor === null) return pages;
      cursor = response.body.nextCursor;
      expect(pages.length).toBeLessThan(100);
    }
  }

  let saoPaulo: string;
  let abc: string;
  let lefevre: string;
  let yamadaTaro: string;
  let heleneContact: string;

  beforeAll(async () => {
    saoPaulo = await createClient({ name: 'São Paulo Logística', email: 'Contato@SaoPaulo.example', website: 'https://saopaulo.example' });
    abc = await createClient({ name: 'ＡＢＣ商事', email: 'info@abc.example' });
    lefevre = await createClient({ name: 'Lefèvre & Fils' });
    yamadaTaro = await createContact(abc, { name: '山田 太郎', email: 'taro@abc.example' });
    await createContact(abc, { name: 'ヤマダ ハナコ', email: 'Hanako@ABC.example' });
    heleneContact = await createContact(lefevre, { name: 'Hélène Lefèvre', email: 'helene@lefevre.example' });
    await createContact(saoPaulo, { name: 'Ana Souza', email: 'ana@saopaulo.example' });
    await createContact(saoPaulo, { name: 'João Gonçalves' });
  });

  describe('search', () => {
    it.each([
      ['sao', ['São Paulo Logística']],
      ['SÃO', ['São Paulo Logística']],
      ['são paulo', ['São Paulo Logística']],
      ['logistica', ['São Paulo Logística']],
      ['abc', ['ＡＢＣ商事']],
      ['ＡＢＣ', ['ＡＢＣ商事']],
      ['商事', ['ＡＢＣ商事']],
      ['lefevre', ['Lefèvre & Fils']],
      ['fils', ['Lefèvre & Fils']],
      ['nothing like it', []],
    ])('clients?q=%s finds %j', async (q, expected) => {
      expect(await names('/v1/clients', { q })).toEqual(expected);
    });

    it.each([
      ['helene', ['Hélène Lefèvre']],
      ['HÉLÈNE', ['Hélène Lefèvre']],
      ['lefevre', ['Hélène Lefèvre']],
      ['やまだ', ['ヤマダ ハナコ']],
      ['ヤマダ', ['ヤマダ ハナコ']],
      ['ﾔﾏﾀﾞ', ['ヤマダ ハナコ']],
      ['山田', ['山田 太郎']],
      ['太郎', ['山田 太郎']],
      ['souza', ['Ana Souza']],
      ['joao', ['João Gonçalves']],
      ['goncalves', ['João Gonçalves']],
      ['a', ['Ana Souza']],
      ['sao', []],
    ])('contacts?q=%s finds %j', async (q, expected) => {
      expect(await names('/v1/contacts', { q })).toEqual(expected);
    });

    it('answers the documented fields and nothing internal', async () => {
      const clients = await read('/v1/clients', { q: 'sao' });
      expect(clients.status).toBe(200);
      expect(clients.body.nextCursor).toBeNull();
      const [client] = clients.body.items;
      expect(Object.keys(client).sort()).toEqual(CLIENT_FIELDS);
      expect(client).toMatchObject({
        id: saoPaulo,
        name: 'São Paulo Logística',
        email: 'Contato@SaoPaulo.example',
        website: 'https://saopaulo.example',
        address: null,
        archived: false,
        archivedAt: null,
      });
      const contacts = await read('/v1/contacts', { q: '山田' });
      const [contact] = contacts.body.items;
      expect(Object.keys(contact).sort()).toEqual(CONTACT_FIELDS);
      expect(contact).toMatchObject({ id: yamadaTaro, name: '山田 太郎', email: 'taro@abc.example', phone: null, clientId: abc, clientIds: [abc] });

      expect((await read(`/v1/clients/${saoPaulo}`)).body).toEqual(client);
      expect((await read(`/v1/contacts/${yamadaTaro}`)).body).toEqual(contact);
    });
  });

  describe('filters', () => {
    it('filters clients by email, case-insensitively, alone and with q', async () => {
      expect(await names('/v1/clients', { email: 'contato@saopaulo.EXAMPLE' })).toEqual(['São Paulo Logística']);
      expect(await names('/v1/clients', { email: 'contato@saopaulo.example', q: 'sao' })).toEqual(['São Paulo Logística']);
      expect(await names('/v1/clients', { email: 'contato@saopaulo.example', q: 'abc' })).toEqual([]);
      expect(await names('/v1/clients', { email: 'nobody@nowhere.example' })).toEqual([]);
    });

    it('filters contacts by company, email and q, in any combination', async () => {
      expect(await names('/v1/contacts', { clientId: abc })).toEqual(['ヤマダ ハナコ', '山田 太郎']);
      expect(await names('/v1/contacts', { clientId: abc.toUpperCase() })).toEqual(['ヤマダ ハナコ', '山田 太郎']);
      expect(await names('/v1/contacts', { clientId: abc, q: 'やまだ' })).toEqual(['ヤマダ ハナコ']);
      expect(await names('/v1/contacts', { clientId: saoPaulo, q: 'やまだ' })).toEqual([]);
      expect(await names('/v1/contacts', { email: 'hanako@abc.example' })).toEqual(['ヤマダ ハナコ']);
      expect(await names('/v1/contacts', { email: 'HANAKO@abc.example', clientId: abc, q: 'はなこ' })).toEqual(['ヤマダ ハナコ']);
      expect(await names('/v1/contacts', { email: 'hanako@abc.example', clientId: saoPaulo })).toEqual([]);
      expect(await names('/v1/contacts', { clientId: randomUUID() })).toEqual([]);
    });
  });

  describe('pagination', () => {
    it('pages lists, searches and company filters over several pages, in id order, each entity once', async () => {
      const company = await createClient({ name: `Paging Holdings ${randomUUID()}` });
      const expected: string[] = [];
      // Names whose several words all match the query: each contact must still come once.
      for (let i = 0; i < 7; i += 1) expected.push(await createContact(company, { name: `Página Paginação ${i}` }));
      expected.sort();

      const cases: Array<Record<string, string | number> & { limit: number }> = [
        { q: 'pagina', limit: 2 },
        { clientId: company, limit: 2 },
        { clientId: company, q: 'PAGINAÇÃO', limit: 3 },
      ];
      for (const params of cases) {
        const pages = await allPages('/v1/contacts', params);
        expect(pages.length).toBeGreaterThan(2);
        expect(pages.slice(0, -1).every((page) => page.length === params.limit)).toBe(true);
        expect(pages.flat().map((item) => item.id)).toEqual(expected);
      }

      // The unfiltered lists: ordered by id, complete, without repeats.
      const contacts = (await allPages('/v1/contacts', { limit: 3 })).flat().map((item) => item.id);
      expect(contacts).toEqual([...contacts].sort());
      expect(new Set(contacts).size).toBe(contacts.length);
      expect(contacts).toEqual(expect.arrayContaining([...expected, yamadaTaro, heleneContact]));
      const clients = await allPages('/v1/clients', { limit: 1 });
      expect(clients.length).toBeGreaterThan(2);
      const clientIds = clients.flat().map((item) => item.id);
      expect(clientIds).toEqual([...clientIds].sort());
      expect(clientIds).toEqual(expect.arrayContaining([saoPaulo, abc, lefevre, company]));
    });
  });

  describe('organizations', () => {
    let otherClient: string;
    let otherContact: string;

    beforeAll(async () => {
      otherClient = await createClient({ name: 'São Paulo Outra', email: 'contato@saopaulo.example' }, other.adminKey);
      otherContact = await createContact(otherClient, { name: '山田 次郎', email: 'taro@abc.example' }, other.adminKey);
    });

    it("never lists another organization's rows", async () => {
      expect(await names('/v1/clients', { q: 'sao' })).toEqual(['São Paulo Logística']);
      expect(await names('/v1/clients', { q: 'sao' }, other.adminKey)).toEqual(['São Paulo Outra']);
      expect(await names('/v1/clients', { email: 'contato@saopaulo.example' })).toEqual(['São Paulo Logística']);
      expect(await names('/v1/contacts', { q: '山田' })).toEqual(['山田 太郎']);
      expect(await names('/v1/contacts', { email: 'taro@abc.example' }, other.adminKey)).toEqual(['山田 次郎']);
      expect(await names('/v1/contacts', { clientId: abc }, other.adminKey)).toEqual([]);
      expect(await names('/v1/contacts', { clientId: otherClient })).toEqual([]);
      const everything = JSON.stringify([(await read('/v1/clients', { limit: 200 }, other.adminKey)).body, (await read('/v1/contacts', { limit: 200 }, other.adminKey)).body]);
      for (const id of [saoPaulo, abc, lefevre, yamadaTaro, heleneContact]) expect(everything).not.toContain(id);
    });

    it("answers 404 for another organization's ids, unknown ids and ids that are not UUIDs", async () => {
      for (const [path, key] of [
        [`/v1/clients/${otherClient}`, api.apiKey],
        [`/v1/contacts/${otherContact}`, api.apiKey],
        [`/v1/clients/${saoPaulo}`, other.adminKey],
        [`/v1/contacts/${yamadaTaro}`, other.adminKey],
        [`/v1/clients/${randomUUID()}`, api.apiKey],
        [`/v1/contacts/${randomUUID()}`, api.apiKey],
        ['/v1/clients/not-a-uuid', api.apiKey],
        ['/v1/contacts/not-a-uuid', api.apiKey],
      ]) {
        const response = await read(path, {}, key);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
        expect(response.headers.get('content-type')).toContain('application/problem+json');
      }
      expect((await read(`/v1/clients/${otherClient}`, {}, other.adminKey)).status).toBe(200);
      expect((await read(`/v1/contacts/${otherContact}`, {}, other.adminKey)).body).toMatchObject({ clientId: otherClient, clientIds: [otherClient] });
    });
  });

  describe('bad query input', () => {
    it.each([
      ['/v1/clients', { unknown: 'x' }],
      ['/v1/clients', { limit: '0' }],
      ['/v1/clients', { limit: '201' }],
      ['/v1/clients', { limit: 'many' }],
      ['/v1/clients', { q: '   ' }],
      ['/v1/clients', { q: 'x'.repeat(201) }],
      ['/v1/clients', { email: 'not-an-email' }],
      ['/v1/clients', { clientId: randomUUID() }],
      ['/v1/clients', { minPosition: 'soon' }],
      ['/v1/contacts', { clientId: 'not-a-uuid' }],
      ['/v1/contacts', { email: 'a@' }],
      ['/v1/contacts', { cursor: 'x'.repeat(401) }],
      ['/v1/contacts', { status: 'Active' }],
      [`/v1/contacts/${randomUUID()}`, { q: 'x' }],
    ])('%s with %j answers 422 and writes nothing', async (path, params) => {
      const before = (await api.request('GET', '/health')).body.headPosition;
      const response = await api.request('GET', `${path}?${new URLSearchParams(params)}`);
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 422, type: '/problems/validation-failed' });
      expect((await api.request('GET', '/health')).body.headPosition).toBe(before);
    });

    it('answers 422 for a repeated parameter and 400 for a cursor it did not issue', async () => {
      expect((await api.request('GET', '/v1/contacts?q=a&q=b')).status).toBe(422);
      const bogus = await api.request('GET', '/v1/contacts?cursor=%2B%2B%2B');
      expect(bogus.status).toBe(400);
      expect(bogus.body).toMatchObject({ type: '/problems/invalid-cursor' });
    });
  });

  describe('changes', () => {
    it('follows a renamed client out of its old terms and into its new ones', async () => {
      const id = await createClient({ name: 'Boulangerie Étoile' });
      expect(await names('/v1/clients', { q: 'etoile' })).toEqual(['Boulangerie Étoile']);
      await write('PATCH', `/v1/clients/${id}`, { name: 'Pâtisserie Lumière', email: 'Bonjour@Lumiere.example' });
      expect(await names('/v1/clients', { q: 'etoile' })).toEqual([]);
      expect(await names('/v1/clients', { q: 'lumiere' })).toEqual(['Pâtisserie Lumière']);
      expect(await names('/v1/clients', { email: 'bonjour@lumiere.example' })).toEqual(['Pâtisserie Lumière']);
    });

    it('takes an archived client out of lists and search, and still answers it by id with archived: true', async () => {
      const id = await createClient({ name: 'Archivé Comércio', email: 'gone@archived.example' });
      expect(await names('/v1/clients', { q: 'archive' })).toEqual(['Archivé Comércio']);
      await write('DELETE', `/v1/clients/${id}`);
      expect(await names('/v1/clients', { q: 'archive' })).toEqual([]);
      expect(await names('/v1/clients', { email: 'gone@archived.example' })).toEqual([]);
      const listed = (await allPages('/v1/clients', { limit: 200 })).flat().map((item) => item.id);
      expect(listed).not.toContain(id);
      const archived = await read(`/v1/clients/${id}`);
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ id, archived: true, name: 'Archivé Comércio' });
      expect(typeof archived.body.archivedAt).toBe('string');
    });

    it('lists a contact under every company it belongs to, following associations and primary changes', async () => {
      const first = await createClient({ name: 'Première Société' });
      const second = await createClient({ name: 'Segunda Empresa' });
      const person = await createContact(first, { name: 'Françoise Gonçalves' });
      await write('POST', `/v1/contacts/${person}/associations`, { clientId: second });
      expect(await names('/v1/contacts', { clientId: second })).toEqual(['Françoise Gonçalves']);
      expect(await names('/v1/contacts', { clientId: second, q: 'francoise' })).toEqual(['Françoise Gonçalves']);
      expect((await read(`/v1/contacts/${person}`)).body).toMatchObject({ clientId: first, clientIds: [first, second].sort() });

      await write('PUT', `/v1/contacts/${person}/primary-client`, { clientId: second });
      await write('DELETE', `/v1/contacts/${person}/associations/${first}`);
      expect(await names('/v1/contacts', { clientId: first })).toEqual([]);
      expect(await names('/v1/contacts', { clientId: second })).toEqual(['Françoise Gonçalves']);
      expect((await read(`/v1/contacts/${person}`)).body).toMatchObject({ clientId: second, clientIds: [second] });
    });
  });
});
