import { removeDataDir, startApp, TestApp } from '../support/app';

/** The organization's own settings: read by staff, changed by admins, bad values write nothing. */
describe('organization settings (e2e)', () => {
  let api: TestApp;
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  it('reads the organization with its default settings, and changes them as an admin', async () => {
    const before = await api.request('GET', '/v1/organization');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ timeZone: 'UTC', settings: { portalDocumentVisibility: 'company', notificationEmail: null } });
    expect(typeof before.body.id).toBe('string');

    const changed = await api.request('PATCH', '/v1/organization/settings', { portalDocumentVisibility: 'own', notificationEmail: 'Office@Agency.example' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ settings: { portalDocumentVisibility: 'own', notificationEmail: 'office@agency.example', notificationLanguage: null }, position: expect.any(Number) });
    expect((await api.request('GET', '/v1/organization')).body.settings).toEqual(changed.body.settings);

    const audit = await api.request('GET', `/v1/audit?minPosition=${changed.body.position}&limit=200`);
    expect(audit.body.items.some((i: any) => i.type === 'OrganizationSettingsChanged')).toBe(true);

    const japanese = await api.request('PATCH', '/v1/organization/settings', { notificationLanguage: 'ja' });
    expect(japanese.body.settings).toEqual({ portalDocumentVisibility: 'own', notificationEmail: 'office@agency.example', notificationLanguage: 'ja' });
    const off = await api.request('PATCH', '/v1/organization/settings', { notificationEmail: null, notificationLanguage: null });
    expect(off.body.settings).toEqual({ portalDocumentVisibility: 'own', notificationEmail: null, notificationLanguage: null });
    // The same values again change nothing.
    const position = await head();
    const same = await api.request('PATCH', '/v1/organization/settings', { notificationEmail: null, portalDocumentVisibility: 'own' });
    expect(same.status).toBe(200);
    expect(await head()).toBe(position);
  });

  it('refuses bad values with 422 problems and writes nothing', async () => {
    for (const bad of [
      { portalDocumentVisibility: 'everyone' },
      { portalDocumentVisibility: null },
      { notificationEmail: 'not an email' },
      { notificationEmail: 42 },
      { notificationEmail: '' },
      { notificationLanguage: 'xx-Klingon' },
      { notificationLanguage: 42 },
      { somethingElse: true },
    ]) {
      const before = await head();
      const refused = await api.request('PATCH', '/v1/organization/settings', bad);
      expect({ bad, status: refused.status }).toEqual({ bad, status: 422 });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await head()).toBe(before);
    }
  });

  it('lets only admins change them', async () => {
    const agent = await api.request('POST', '/v1/api-keys', { name: 'agent', role: 'agent' });
    const refused = await api.request('PATCH', '/v1/organization/settings', { notificationEmail: null }, { authorization: `Bearer ${agent.body.key}` });
    expect(refused.status).toBe(403);
    const read = await api.request('GET', '/v1/organization', undefined, { authorization: `Bearer ${agent.body.key}` });
    expect(read.status).toBe(200);
  });
});
