import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp, tokenIn } from '../support/app';
import { expectProblem } from '../support/problems';

/** Editing, archiving and associating companies and contacts over real HTTP, with bad input. */
describe('directory writes (e2e)', () => {
  let api: TestApp;
  let position = 0;
  const anonymous = { authorization: '' };
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  async function ok(method: string, path: string, body?: unknown, status = 200): Promise<Response> {
    const response = await api.request(method, path, body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ path, status });
    position = Math.max(position, response.body.position ?? 0);
    return response;
  }
  const client = async (name = 'Client Co') => (await ok('POST', '/v1/clients', { name }, 201)).body.id as string;
  const contact = async (clientId: string, body: Record<string, unknown> = { name: 'Pat', email: `${randomUUID()}@client.example` }) =>
    (await ok('POST', `/v1/clients/${clientId}/contacts`, body, 201)).body.id as string;
  const read = (path: string) => api.request('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`);

  /** Sends a bad request, expects its status (and problem type), and that nothing was written. */
  const refused = async (method: string, path: string, body: unknown, status: number, type?: string): Promise<void> => {
    await expectProblem(api, () => api.request(method, path, body), { status, type, request: { method, path, body } });
  };

  describe('client companies', () => {
    it('are edited field by field: name, email, web address and postal address', async () => {
      const id = await client('Tokyo Staffing');
      const address = { line1: '1-2-3 Shibuya', city: 'Shibuya-ku', region: 'Tokyo', postalCode: '150-0002', country: 'JP' };
      await ok('PATCH', `/v1/clients/${id}`, { email: 'Office@Tokyo.example', website: 'https://tokyo.example', address });
      await ok('PATCH', `/v1/clients/${id}`, { name: '東京スタッフィング' });
      const found = await read(`/v1/clients/${id}`);
      expect(found.body).toMatchObject({ id, name: '東京スタッフィング', email: 'Office@Tokyo.example', website: 'https://tokyo.example', address, archived: false });
    });

    it('refuse bad edits with 422 (or 404 for an unknown id) and write nothing', async () => {
      const id = await client();
      await refused('PATCH', `/v1/clients/${id}`, { email: 'not an email' }, 422);
      await refused('PATCH', `/v1/clients/${id}`, { website: 'javascript:alert(1)' }, 422);
      await refused('PATCH', `/v1/clients/${id}`, { name: '   ' }, 422);
      await refused('PATCH', `/v1/clients/${id}`, { colour: 'blue' }, 422);
      await refused('PATCH', `/v1/clients/${id}`, { address: { line1: 'x', planet: 'Mars' } }, 422);
      await refused('PATCH', `/v1/clients/${id}`, { address: { country: 'Japan' } }, 422);
      await refused('PATCH', `/v1/clients/${randomUUID()}`, { name: 'Ghost' }, 404);
      await refused('PATCH', '/v1/clients/not-a-uuid', { name: 'Ghost' }, 404);
    });

    it('when archived leave the lists, refuse new contacts, and revoke each contact’s portal access with an event each', async () => {
      const id = await client('Archive Me KK');
      const members = [await contact(id), await contact(id), await contact(id)];
      for (const member of members.slice(0, 2)) await ok('POST', `/v1/contacts/${member}/portal-access/invite`);
      const email = (await api.outbox()).at(-1)!.content;
      const token = tokenIn(email);
      const accepted = await api.request('POST', '/v1/portal/invitations/accept', { token, password: 'a long unusual passphrase' }, anonymous);
      expect(accepted.status).toBe(200);

      const archived = await ok('DELETE', `/v1/clients/${id}`);
      expect(archived.body).toMatchObject({ id, revokedAccesses: 2 });
      for (const member of members.slice(0, 2)) {
        const access = await read(`/v1/contacts/${member}/portal-access`);
        expect(access.body.status).toBe('Revoked');
        const audit = await read(`/v1/audit?subjectId=${member}`);
        expect(audit.body.items.filter((i: { type: string }) => i.type === 'PortalAccessRevoked')).toHaveLength(1);
      }
      expect((await read(`/v1/contacts/${members[2]}/portal-access`)).status).toBe(404);
      const listed = await read('/v1/clients?q=archive&limit=200');
      expect(listed.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
      expect((await read(`/v1/clients/${id}`)).body).toMatchObject({ archived: true });
      await refused('POST', `/v1/clients/${id}/contacts`, { name: 'Late' }, 409, 'client-archived');
      await refused('PATCH', `/v1/clients/${id}`, { name: 'Renamed' }, 409, 'client-archived');

      // Archiving again is safe: nothing more to revoke.
      const again = await ok('DELETE', `/v1/clients/${id}`);
      expect(again.body).toMatchObject({ id, revokedAccesses: 0 });
      await refused('DELETE', `/v1/clients/${randomUUID()}`, undefined, 404);
    });
  });

  describe('contacts', () => {
    it('are edited: name, email and phone', async () => {
      const id = await contact(await client());
      await ok('PATCH', `/v1/contacts/${id}`, { name: 'Ana Gonçalves', email: 'Ana@Client.example', phone: '+55 11 91234-5678' });
      expect((await read(`/v1/contacts/${id}`)).body).toMatchObject({ name: 'Ana Gonçalves', email: 'ana@client.example', phone: '+55 11 91234-5678' });
    });

    it('take their portal username along when their email changes', async () => {
      const oldEmail = `${randomUUID()}@client.example`;
      const id = await contact(await client(), { name: 'Pat', email: oldEmail });
      await ok('POST', `/v1/contacts/${id}/portal-access/invite`);
      const token = tokenIn((await api.outbox()).filter((m) => m.content.includes(`To: ${oldEmail}`)).at(-1)!.content);
      const password = 'a long unusual passphrase';
      expect((await api.request('POST', '/v1/portal/invitations/accept', { token, password }, anonymous)).status).toBe(200);

      const newEmail = `${randomUUID()}@Client.example`;
      await ok('PATCH', `/v1/contacts/${id}`, { email: newEmail });
      expect((await api.request('POST', '/v1/portal/sessions', { email: newEmail, password }, anonymous)).status).toBe(200);
      expect((await api.request('POST', '/v1/portal/sessions', { email: oldEmail, password }, anonymous)).status).toBe(401);
      const access = await read(`/v1/contacts/${id}/portal-access`);
      expect(access.body.email).toBe(newEmail.toLowerCase());
      const audit = await read(`/v1/audit?subjectId=${id}`);
      expect(audit.body.items.find((i: { type: string }) => i.type === 'PortalUsernameChanged')).toMatchObject({
        data: { email: newEmail.toLowerCase(), previousEmail: oldEmail },
      });
    });

    it('refuse bad edits and write nothing', async () => {
      const id = await contact(await client());
      await refused('PATCH', `/v1/contacts/${id}`, { email: 'nope' }, 422);
      await refused('PATCH', `/v1/contacts/${id}`, { phone: 'call me maybe' }, 422);
      await refused('PATCH', `/v1/contacts/${id}`, { clientId: randomUUID() }, 422);
      await refused('PATCH', `/v1/contacts/${randomUUID()}`, { name: 'Ghost' }, 404);
    });

    it('may take a company they are not yet associated with as primary, which associates them', async () => {
      const first = await client('Old primary');
      const second = await client('New primary');
      const id = await contact(first);
      await ok('PUT', `/v1/contacts/${id}/primary-client`, { clientId: second });
      expect((await read(`/v1/contacts/${id}`)).body).toMatchObject({ clientId: second, clientIds: [first, second].sort() });
      await refused('PUT', `/v1/contacts/${id}/primary-client`, { clientId: randomUUID() }, 404);
    });

    it('belong to one primary company, are associated with more, and are never dissociated from the primary', async () => {
      const first = await client('First');
      const second = await client('Second');
      const id = await contact(first);
      await refused('DELETE', `/v1/contacts/${id}/associations/${first}`, undefined, 409, 'cannot-dissociate-primary-client');
      await refused('DELETE', `/v1/contacts/${id}/associations/${second}`, undefined, 404, 'not-associated');
      await refused('POST', `/v1/contacts/${id}/associations`, { clientId: randomUUID() }, 404);
      await refused('POST', `/v1/contacts/${id}/associations`, { clientId: 'not-a-uuid' }, 422);
      await refused('POST', `/v1/contacts/${id}/associations`, {}, 422);

      await ok('POST', `/v1/contacts/${id}/associations`, { clientId: second });
      const before = await head();
      await ok('POST', `/v1/contacts/${id}/associations`, { clientId: second }); // repeating is safe
      expect(await head()).toBe(before);
      await refused('DELETE', `/v1/contacts/${id}/associations/${second}?documents=shred`, undefined, 422);
      await ok('PUT', `/v1/contacts/${id}/primary-client`, { clientId: second });
      await refused('DELETE', `/v1/contacts/${id}/associations/${second}`, undefined, 409, 'cannot-dissociate-primary-client');
      const moved = await ok('DELETE', `/v1/contacts/${id}/associations/${first}?documents=move`);
      const audit = await read(`/v1/audit?subjectId=${id}`);
      const dissociated = audit.body.items.find((i: { type: string }) => i.type === 'ContactDissociated');
      expect(dissociated).toMatchObject({ position: moved.body.position, data: { clientId: first, documents: 'move', documentsMovedTo: second } });
      expect((await read(`/v1/contacts/${id}`)).body).toMatchObject({ clientId: second, clientIds: [second] });
    });

    it('keep their documents with the company by default when dissociated', async () => {
      const first = await client('Keep A');
      const second = await client('Keep B');
      const id = await contact(first);
      await ok('POST', `/v1/contacts/${id}/associations`, { clientId: second });
      const kept = await ok('DELETE', `/v1/contacts/${id}/associations/${second}`);
      const audit = await read(`/v1/audit?subjectId=${id}`);
      expect(audit.body.items.find((i: { position: number }) => i.position === kept.body.position)).toMatchObject({
        type: 'ContactDissociated',
        data: { clientId: second, documents: 'keep' },
      });
    });
  });
});
