import createClient from 'openapi-fetch';
import type { components, paths } from '../support/openapi';
import { removeDataDir, startApp, TestApp } from '../support/app';

type Problem = components['schemas']['Problem'];

/**
 * A backend consumer's client, generated from the committed OpenAPI snapshot
 * (openapi-typescript) and called through openapi-fetch: paths, bodies, answers and problems
 * are typed from the document, so this test stops compiling (openapi.e2e.spec.ts compiles it)
 * or passing when the document and the code part.
 */
describe('a typed client generated from the OpenAPI document', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApp();
  });

  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  it('registers a company, adds a contact, invites it and reads its access', async () => {
    const client = createClient<paths>({ baseUrl: api.url, headers: { authorization: `Bearer ${api.apiKey}` } });

    const company = await client.POST('/v1/clients', { body: { name: 'Typed Client Logistics' } });
    expect(company.response.status).toBe(201);
    const clientId = company.data!.id;

    const person = await client.POST('/v1/clients/{clientId}/contacts', {
      params: { path: { clientId } },
      body: { name: 'Tia Typed', email: 'tia@typed.example' },
    });
    expect(person.response.status).toBe(201);
    const contactId = person.data!.id;

    const invited = await client.POST('/v1/contacts/{contactId}/portal-access/invite', {
      params: { path: { contactId }, header: { 'Idempotency-Key': `invite-${contactId}` } },
      body: { language: 'en' },
    });
    expect(invited.response.status).toBe(200);
    expect(invited.data).toMatchObject({ contactId, status: 'Invited' });

    const access = await client.GET('/v1/contacts/{contactId}/portal-access', {
      params: { path: { contactId }, query: { minPosition: String(invited.data!.position) } },
    });
    expect(access.response.status).toBe(200);
    expect(access.data).toMatchObject({ contactId, clientId, status: 'Invited', email: 'tia@typed.example' });

    // A problem is typed too: its type says which rule, as documented for the route.
    const again = await client.POST('/v1/contacts/{contactId}/portal-access/invite', { params: { path: { contactId } }, body: {} });
    expect(again.response.status).toBe(409);
    const problem: Problem | undefined = again.error;
    expect(problem).toMatchObject({ type: '/problems/already-invited', status: 409 });
    expect(again.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('signs in with no credentials where the document says none are needed', async () => {
    const anonymous = createClient<paths>({ baseUrl: api.url });
    const refused = await anonymous.POST('/v1/portal/sessions', { body: { email: 'nobody@typed.example', password: 'not the password at all' } });
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ type: '/problems/invalid-credentials' });
  });
});
