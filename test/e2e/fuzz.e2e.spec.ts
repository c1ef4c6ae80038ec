import { randomUUID } from 'node:crypto';
import { EventStore } from '@app/event-store';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { removeDataDir, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/**
 * Walks the OpenAPI document and sends every operation generated bad input: bad path
 * parameters and encodings, bad query values, operator objects, wrong types, nulls, huge and
 * control-character strings, unpaired surrogates, deep nesting, bodies that are not JSON or
 * not UTF-8, wrong content types, overlong Idempotency-Keys. Each request carries its own
 * correlation id, so the events it wrote can be found. Asserts: no 5xx; every refusal is
 * problem+json with a type; no event written by a refused request.
 */

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  minimum?: number;
  minLength?: number;
  nullable?: boolean;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { type: string; schema?: Schema };
  caller: 'staff' | 'portal' | 'public';
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What was bad about it (for the failure message). */
  why: string;
}

/** The whole run should take about a minute here; past this, the remaining operations are skipped (and the test fails). */
const BUDGET_MS = 150_000;
const CONCURRENCY = 4;

const BAD_PATH_VALUES = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  randomUUID(),
  '%00',
  '%E0%A4%A',
  '%ED%A0%80',
  'a'.repeat(150),
  '..%2F..%2Fhealth',
  '%F0%9F%98%80',
  encodeURIComponent("1' OR '1'='1"),
];

const BAD_QUERY_VALUES = ['', 'abc', '-1', '1.5', '99999999999999999999', 'x'.repeat(3000), '%00', '%ED%A0%80', '%E0%A4%A', '%1B%5B31m'];

const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : [deep(levels - 1)]);

const BAD_VALUES: [string, unknown][] = [
  ['null', null],
  ['a number', 42],
  ['a negative number', -1],
  ['true', true],
  ['an empty string', ''],
  ['a 10,000-character string', 'x'.repeat(10_000)],
  ['a NUL', 'a\u0000b'],
  ['an unpaired surrogate', 'a\ud800b'],
  ['a line break and escape', 'a\n\u001b[2J'],
  ['an empty array', []],
  ['an array of null', [null]],
  ['an empty object', {}],
  ['an operator object', { $gt: '' }],
  ['nesting 40 deep', deep(40)],
];

const BAD_NESTED_VALUES: [string, unknown][] = [
  ['null', null],
  ['a number', 7],
  ['an unpaired surrogate', '\udc00'],
  ['an array', ['x']],
  ['an operator object', { $ne: null }],
];

const BAD_BODIES: [string, string | Uint8Array][] = [
  ['JSON null', 'null'],
  ['a JSON array', '[]'],
  ['a JSON string', '"text"'],
  ['a JSON number', '42'],
  ['broken JSON', '{"a":'],
  ['nesting 5,000 deep', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ['__proto__', '{"__proto__":{"polluted":true}}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}'],
  ['bytes that are not UTF-8', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
  ['a 2 MB body', `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`],
  ['a duplicate key', '{"a":1,"a":{"$gt":""}}'],
];

const BAD_CSV: [string, string | Uint8Array][] = [
  ['an empty file', ''],
  ['only a byte order mark', '\ufeff'],
  ['bytes that are not UTF-8', new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xfe, 0x0a])],
  ['a quote never closed', 'company_name,contact_name\n"Acme,Ana\n'],
  ['text after a closing quote', 'company_name,contact_name\n"Acme"x,Ana\n'],
  ['unknown columns', 'a,b,c\n1,2,3\n'],
  ['a header only', 'company_name,contact_name\n'],
  ['NUL bytes', 'company_name,contact_name\nAc\u0000me,An\u0000a\n'],
  ['a row of 1,000 fields', `company_name,contact_name\n${Array.from({ length: 1000 }, () => 'x').join(',')}\n`],
  ['JSON sent as CSV', '{"company_name":"Acme"}'],
  ['a 100,000-character name', `company_name,contact_name\n${'x'.repeat(100_000)},Ana\n`],
];

describe('fuzz: every operation of the OpenAPI document, with bad input (e2e)', () => {
  let api: TestApp;
  let events: EventStore;
  let document: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Schema> } };
  const ids: Record<string, string> = {};
  let portalSession = '';
  let portalSlug = '';
  /** The portal user's type (not fuzzed: the user must keep every right). */
  let everythingTypeId = '';
  let sequence = 0;

  /** A portal user whose user type may do everything, signed in. */
  async function newPortalUser(): Promise<void> {
    const email = `fuzz-${randomUUID()}@client.example`;
    const signInHeaders = { 'x-forwarded-for': `10.9.${sequence % 250}.1` };
    portalSession = (await signedInPortalUser(api, ids.clientId, { name: 'Fuzz Person', email, userTypeId: everythingTypeId, signInHeaders })).session;
  }

  /** The fuzzing may disable, revoke or sign out the portal user: start each portal operation with a working session. */
  async function ensurePortalSession(): Promise<void> {
    if ((await api.request('GET', '/v1/portal/me', undefined, { authorization: `Bearer ${portalSession}` })).status !== 200) await newPortalUser();
  }

  beforeAll(async () => {
    api = await startApp({ TRUST_PROXY: 'true', INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    events = api.app.get<EventStore>(EVENT_STORE);
    document = (await api.request('GET', '/docs/openapi.json')).body;

    // Real resources, so that a bad value in one place meets real state everywhere else.
    const portals = await api.request('GET', '/v1/portals?limit=200');
    ids.portalId = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const updated = await api.request('PATCH', `/v1/portals/${ids.portalId}`, { selfRegistration: true });
    portalSlug = updated.body.slug;
    const all = { view: true, create: true, edit: true, delete: true, approve: true };
    const userType = await api.request('POST', `/v1/portals/${ids.portalId}/user-types`, {
      name: 'Everything',
      modules: { shifts: all, timesheets: all, quotes: all, invoices: all, projects: all, documents: all },
    });
    expect(userType.status).toBe(201);
    everythingTypeId = userType.body.id;
    ids.userTypeId = (await api.request('POST', `/v1/portals/${ids.portalId}/user-types`, { name: 'Fuzzed', modules: { documents: { view: true } } })).body.id;
    ids.clientId = (await api.request('POST', '/v1/clients', { name: 'Fuzz Client' })).body.id;
    await newPortalUser();
    // The contact the fuzzed staff routes act on (invited), not the portal user's own.
    ids.contactId = (await api.request('POST', `/v1/clients/${ids.clientId}/contacts`, { name: 'Fuzz Target', email: 'target@fuzz.example' })).body.id;
    await api.request('POST', `/v1/contacts/${ids.contactId}/portal-access/invite`);
    const today = new Date().toISOString().slice(0, 10);
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const lines = [{ description: 'Staff (hours)', quantity: '10', unitPrice: '45.50' }];
    ids.quoteId = (await api.request('POST', '/v1/quotes', { clientId: ids.clientId, number: 'Q-1', issueDate: today, validUntil: inAMonth, currency: 'EUR', lines, link: 'https://erp.example/q/1' })).body.id;
    ids.invoiceId = (await api.request('POST', '/v1/invoices', { clientId: ids.clientId, number: 'I-1', issueDate: today, dueDate: inAMonth, currency: 'EUR', lines, link: 'https://erp.example/i/1' })).body.id;
    ids.documentId = ids.quoteId;
    ids.shiftId = (await api.request('POST', '/v1/shifts', { clientId: ids.clientId, staffMember: { name: 'Jo' }, start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' })).body.id;
    const timesheet = await api.request('POST', '/v1/timesheets', {
      clientId: ids.clientId,
      staffMember: { name: 'Jo' },
      entries: [{ date: '2026-03-02', start: '08:00', end: '16:00', breakMinutes: 30 }],
    });
    ids.timesheetId = timesheet.body.id;
    ids.keyId = (await api.request('POST', '/v1/api-keys', { name: 'fuzz key', role: 'reporter' })).body.id;
    const imported = await api.request('POST', '/v1/imports/contacts', 'company_name,contact_name\nFuzz Import,Pat\n', { 'content-type': 'text/csv' });
    ids.importId = imported.body.id;
    await api.request('POST', '/v1/portal/registrations', { portalSlug, email: 'reg@fuzz.example', name: 'Reg', companyName: 'Reg Co' }, { authorization: '' });
    const changed = await api.request('PATCH', '/v1/portal/me/preferences', { country: 'FR' }, { authorization: `Bearer ${portalSession}` });
    const registrations = await api.request('GET', `/v1/portals/${ids.portalId}/registrations?minPosition=${changed.body.position}`);
    ids.registrationId = registrations.body.items[0].id;
    const feed = await api.request('GET', `/v1/notifications?minPosition=${changed.body.position}`);
    ids.notificationId = feed.body.items[0].id;
    ids.language = 'fr';
    for (const [name, value] of Object.entries(ids)) expect({ name, value }).toEqual({ name, value: expect.any(String) });
  }, 60_000);

  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  function resolve(schema: Schema | undefined): Schema {
    let current: Schema = schema ?? {};
    for (let i = 0; i < 10; i++) {
      if (current.$ref) current = { ...document.components.schemas[current.$ref.split('/').pop()!], ...withoutRef(current) };
      else if (current.allOf?.length) current = { ...current.allOf.reduce<Schema>((merged, part) => ({ ...merged, ...resolve(part) }), {}), ...withoutKey(current, 'allOf') };
      else if (current.oneOf?.length || current.anyOf?.length) current = resolve((current.oneOf ?? current.anyOf)![0]);
      else return current;
    }
    return current;
  }

  /** A plausible valid value, so that one bad field meets otherwise good input (and the handler behind it). */
  function valid(schemaIn: Schema | undefined, name = '', depth = 0): unknown {
    const schema = resolve(schemaIn);
    if (schema.example !== undefined) return schema.example;
    if (schema.enum?.length) return schema.enum[0];
    // A nullable property typed `string | null` in the DTO is documented as an object without properties.
    if (schema.type === 'object' && !schema.properties && schema.nullable) return null;
    if (schema.properties || schema.type === 'object') {
      if (depth > 6) return {};
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, inner]) => [key, valid(inner, key, depth + 1)]));
    }
    switch (schema.type) {
      case 'array':
        return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () => valid(schema.items, name, depth + 1));
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'boolean':
        return true;
      default:
        if (schema.format === 'uuid') return ids[name] ?? randomUUID();
        if (schema.format === 'email' || /email/i.test(name)) return `fuzz-${sequence}@example.com`;
        if (schema.format === 'date-time') return new Date().toISOString();
        if (schema.format === 'date') return new Date().toISOString().slice(0, 10);
        return 'fuzz'.padEnd(schema.minLength ?? 0, 'z');
    }
  }

  function operations(): Operation[] {
    const found: Operation[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const content = op.requestBody?.content as Record<string, { schema?: Schema }> | undefined;
        const type = content ? Object.keys(content)[0] : undefined;
        found.push({
          method: method.toUpperCase(),
          path,
          parameters: (op.parameters ?? []) as Parameter[],
          body: type ? { type, schema: content![type].schema } : undefined,
          caller: path.startsWith('/v1/portal/') && !PUBLIC.has(`${method.toUpperCase()} ${path}`) ? 'portal' : PUBLIC.has(`${method.toUpperCase()} ${path}`) ? 'public' : 'staff',
        });
      }
    }
    // Reads first, destructive writes last, so that what the others need still exists while they run.
    const rank = (op: Operation) => (op.method === 'GET' ? 0 : op.method === 'DELETE' ? 3 : /revoke|disable|sign-out/.test(op.path) ? 2 : 1);
    return found.sort((a, b) => rank(a) - rank(b));
  }

  const PUBLIC = new Set([
    'POST /v1/portal/sessions',
    'POST /v1/portal/password-reset',
    'POST /v1/portal/password-reset/confirm',
    'POST /v1/portal/invitations/accept',
    'POST /v1/portal/registrations',
    'GET /health',
    'GET /health/live',
    'GET /health/ready',
  ]);

  /** The bad requests of one operation. */
  function requestsFor(op: Operation): FuzzRequest[] {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query' && p.name !== 'minPosition');
    const goodPath = (override: Record<string, string> = {}) =>
      op.path.replace(/\{(\w+)\}/g, (_, name: string) => override[name] ?? encodeURIComponent(ids[name] ?? randomUUID()));
    const jsonBody = op.body?.type === 'application/json';
    const base = op.body && jsonBody ? (valid(op.body.schema) as Record<string, unknown>) : undefined;
    const make = (why: string, url: string, body?: string | Uint8Array, headers: Record<string, string> = {}): FuzzRequest => ({
      method: op.method,
      url,
      body,
      why,
      headers: { ...(body !== undefined ? { 'content-type': op.body?.type ?? 'application/json' } : {}), ...headers },
    });
    const goodBody = base !== undefined ? JSON.stringify(base) : op.body ? 'company_name,contact_name\nFuzz Import,Pat\n' : undefined;
    // The plausible request itself first: a good request must not fail either, whatever state the ones before left.
    const requests: FuzzRequest[] = [make('the plausible request', goodPath(), goodBody)];

    for (const param of pathParams) {
      for (const value of BAD_PATH_VALUES) requests.push(make(`path ${param.name}=${value.slice(0, 30)}`, goodPath({ [param.name]: value }), goodBody));
    }
    for (const param of queryParams) {
      for (const value of BAD_QUERY_VALUES) requests.push(make(`query ${param.name}=${value.slice(0, 30)}`, `${goodPath()}?${param.name}=${value}`, goodBody));
      requests.push(make(`query ${param.name} as an operator`, `${goodPath()}?${param.name}[$gt]=`, goodBody));
      requests.push(make(`query ${param.name} twice`, `${goodPath()}?${param.name}=a&${param.name}=b`, goodBody));
    }
    requests.push(make('an unknown query parameter', `${goodPath()}?zzz=1`, goodBody));
    requests.push(make('minPosition beyond the head', `${goodPath()}?minPosition=99999999999`, goodBody));
    requests.push(make('minPosition not a number', `${goodPath()}?minPosition=1e3`, goodBody));
    if (op.method !== 'GET') requests.push(make('an Idempotency-Key of 201 characters', goodPath(), goodBody, { 'idempotency-key': 'k'.repeat(201) }));

    if (op.body) {
      const url = goodPath();
      if (jsonBody) {
        for (const [why, body] of BAD_BODIES) requests.push(make(`body: ${why}`, url, body));
        requests.push(make('body as text/plain', url, goodBody, { 'content-type': 'text/plain' }));
        // A byte array: fetch gives a string body a text/plain type of its own.
        requests.push(make('body without a content type', url, new Uint8Array(Buffer.from(goodBody!)), { 'content-type': '' }));
        requests.push(make('body as CSV', url, 'a,b\n1,2\n', { 'content-type': 'text/csv' }));
        const schema = resolve(op.body.schema);
        for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
          for (const [why, value] of BAD_VALUES) requests.push(make(`${key}: ${why}`, url, JSON.stringify({ ...base, [key]: value })));
          const inner = resolve(propertySchema.type === 'array' ? propertySchema.items : propertySchema);
          const innerBase = valid(inner);
          for (const innerKey of Object.keys(inner.properties ?? {})) {
            for (const [why, value] of BAD_NESTED_VALUES) {
              const nested = { ...(innerBase as object), [innerKey]: value };
              requests.push(make(`${key}.${innerKey}: ${why}`, url, JSON.stringify({ ...base, [key]: propertySchema.type === 'array' ? [nested] : nested })));
            }
          }
        }
      } else {
        for (const [why, body] of BAD_CSV) requests.push(make(`CSV: ${why}`, url, body));
        requests.push(make('CSV in Latin-1', url, 'company_name,contact_name\nJos\xe9,Ana\n', { 'content-type': 'text/csv; charset=iso-8859-1' }));
        requests.push(make('JSON to the CSV route', url, '{"a":1}', { 'content-type': 'application/json' }));
      }
    }
    return requests;
  }

  it('never answers 5xx, refuses with problem+json, and writes nothing for a refused request', async () => {
    const started = Date.now();
    const headBefore = await events.headPosition();
    const failures: string[] = [];
    const refused = new Map<string, string>();
    let sent = 0;
    let accepted = 0;
    let skipped = 0;
    /** How often each status and problem type answered (printed: shows how deep the input got). */
    const refusals = new Map<string, number>();

    for (const op of operations()) {
      if (Date.now() - started > BUDGET_MS) {
        skipped++;
        continue;
      }
      if (op.caller === 'portal') await ensurePortalSession();
      const auth: Record<string, string> =
        op.caller === 'portal' ? { authorization: `Bearer ${portalSession}` } : op.caller === 'staff' ? { authorization: `Bearer ${api.apiKey}` } : {};
      const queue = requestsFor(op);

      const worker = async () => {
        for (let request = queue.shift(); request; request = queue.shift()) {
          const correlationId = `fuzz-${++sequence}`;
          const headers: Record<string, string> = { ...auth, 'x-correlation-id': correlationId, 'x-forwarded-for': `10.${sequence % 250}.${(sequence >> 8) % 250}.7`, ...request.headers };
          if (headers['content-type'] === '') delete headers['content-type'];
          const label = `${request.method} ${op.path} [${request.why}]`;
          let response: Response;
          try {
            response = await fetch(`${api.url}${request.url}`, { method: request.method, headers, body: request.body });
          } catch (error) {
            failures.push(`${label}: no answer (${(error as Error).message})`);
            continue;
          }
          sent++;
          const text = await response.text();
          if (response.status >= 500) failures.push(`${label}: ${response.status} ${text.slice(0, 200)}`);
          if (response.status < 400) {
            accepted++;
            continue;
          }
          refused.set(correlationId, `${label}: ${response.status}`);
          const type = /"type":"([^"]+)"/.exec(text)?.[1];
          refusals.set(`${response.status} ${type}`, (refusals.get(`${response.status} ${type}`) ?? 0) + 1);
          if (!(response.headers.get('content-type') ?? '').includes('application/problem+json')) {
            failures.push(`${label}: ${response.status} answered as ${response.headers.get('content-type')}`);
            continue;
          }
          try {
            const problem = JSON.parse(text) as { type?: unknown; status?: unknown; title?: unknown; errors?: unknown };
            if (typeof problem.type !== 'string' || !problem.type.startsWith('/problems/') || problem.status !== response.status || typeof problem.title !== 'string') {
              failures.push(`${label}: not a problem body: ${text.slice(0, 200)}`);
            }
            // Refused input names its fields, always in the same shape.
            const fieldErrors = problem.errors as { field?: unknown; message?: unknown }[] | undefined;
            if (
              problem.type === '/problems/validation-failed' &&
              (!Array.isArray(fieldErrors) || fieldErrors.length === 0 || fieldErrors.some((e) => typeof e.field !== 'string' || typeof e.message !== 'string'))
            ) {
              failures.push(`${label}: validation problem without errors [{field, message}]: ${text.slice(0, 200)}`);
            }
          } catch {
            failures.push(`${label}: problem body is not JSON: ${text.slice(0, 200)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }

    // Every event written meanwhile, by whom: none may carry the correlation id of a refused request.
    await new Promise((resolve) => setTimeout(resolve, 200)); // background work of accepted requests (password reset emails)
    const headAfter = await events.headPosition();
    let after = headBefore;
    let written = 0;
    for (;;) {
      const page = await events.readAll({ after, maxCount: 1000 });
      if (page.length === 0) break;
      for (const event of page) {
        written++;
        const refusal = refused.get(event.metadata.correlationId);
        if (refusal) failures.push(`${refusal} wrote ${event.type}`);
      }
      after = page[page.length - 1].position;
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    // eslint-disable-next-line no-console
    console.log(
      `fuzz: ${operations().length} operations, ${sent} requests in ${seconds} s (${refused.size} refused, ${accepted} accepted); ` +
        `log head ${headBefore} -> ${headAfter} (${written} events, none from a refused request)${skipped ? `; ${skipped} operations skipped: over budget` : ''}`,
    );
    if (process.env.FUZZ_VERBOSE) console.log([...refusals].sort((a, b) => b[1] - a[1]));
    expect(failures.slice(0, 50)).toEqual([]);
    expect(skipped).toBe(0);
  }, 240_000);
});

function withoutRef(schema: Schema): Schema {
  return withoutKey(schema, '$ref');
}

function withoutKey(schema: Schema, key: keyof Schema): Schema {
  const { [key]: _dropped, ...rest } = schema;
  return rest;
}
