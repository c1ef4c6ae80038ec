import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { PROBLEM_CATALOG } from '../../apps/api/src/http/problem-catalog';
import { removeDataDir, startApp, TestApp } from '../support/app';
import { DocumentedProblems } from '../support/documented-problems';

/**
 * The OpenAPI document is the contract a consumer generates a client from: every operation
 * documents its success schema, its security, the headers it reads and every problem it can
 * answer. The committed snapshot (docs/openapi.json) and the client types generated from it
 * (test/support/openapi.d.ts) follow the code: `npm run openapi:update` rewrites both, so that
 * a change of the contract is a deliberate, reviewed change.
 */
const ROOT = join(__dirname, '../..');
const SNAPSHOT = join(ROOT, 'docs/openapi.json');
const TYPES = join(ROOT, 'test/support/openapi.d.ts');
const TYPED_CLIENT_TEST = join(ROOT, 'test/e2e/typed-client.e2e.spec.ts');
const UPDATE = process.env.OPENAPI_UPDATE === '1';
/** The openapi-typescript command line, as a consumer runs it (its library is ESM, which jest does not load). */
const OPENAPI_TYPESCRIPT = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('OpenAPI document', () => {
  let api: TestApp;
  let document: Json;
  let operations: { name: string; method: string; operation: Json }[];

  beforeAll(async () => {
    api = await startApp();
    const response = await fetch(`${api.url}/docs/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
    operations = Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ name: `${method.toUpperCase()} ${path}`, method, operation: item[method] as Json })),
    );
  });

  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  const resolve = (value: Json): Json => {
    if (typeof value?.$ref !== 'string') return value;
    const found = (value.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json | undefined>((node, key) => node?.[key], document);
    if (!found) throw new Error(`Unresolved ${value.$ref}`);
    return found;
  };
  const failures = (check: (name: string, method: string, operation: Json) => string | null) =>
    operations.map(({ name, method, operation }) => check(name, method, operation)).filter((failure): failure is string => failure !== null);

  it('has the operations of the API', () => {
    expect(operations.length).toBeGreaterThanOrEqual(96);
  });

  it('declares two security schemes, opaque bearer tokens: staff API keys and portal sessions', () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['portalSession', 'staffApiKey']);
    for (const scheme of Object.values(document.components.securitySchemes as Record<string, Json>)) {
      expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(scheme.bearerFormat).not.toMatch(/jwt/i);
    }
  });

  it('gives every operation its security: the scheme its access needs, or none for public ones', () => {
    expect(
      failures((name, _method, operation) => {
        const access = operation['x-access'];
        const expected = access?.kind === 'public' ? [] : access?.kind === 'staff' ? [{ staffApiKey: [] }] : access?.kind === 'portal' ? [{ portalSession: [] }] : undefined;
        return expected && JSON.stringify(operation.security) === JSON.stringify(expected) ? null : `${name}: security ${JSON.stringify(operation.security)} for access ${JSON.stringify(access)}`;
      }),
    ).toEqual([]);
  });

  it('gives every operation a success response with a schema (or 204, no content)', () => {
    expect(
      failures((name, _method, operation) => {
        const successes = Object.entries(operation.responses as Record<string, Json>).filter(([status]) => /^2\d\d$/.test(status));
        const documented = successes.some(([status, response]) => status === '204' || Object.values((resolve(response).content ?? {}) as Record<string, Json>).some((media) => media.schema));
        return documented ? null : `${name}: no success schema`;
      }),
    ).toEqual([]);
  });

  it('answers every error as application/problem+json with the Problem schema, an example per type and what each means', () => {
    const problem = document.components.schemas.Problem;
    expect(problem.required).toEqual(['type', 'title', 'status']);
    expect(problem.properties.errors.items).toEqual({ $ref: '#/components/schemas/ProblemFieldError' });
    expect(
      failures((name, _method, operation) => {
        for (const [status, raw] of Object.entries(operation.responses as Record<string, Json>)) {
          if (Number(status) < 400) continue;
          const response = resolve(raw);
          const media = response.content?.['application/problem+json'];
          if (media?.schema?.$ref !== '#/components/schemas/Problem') return `${name} ${status}: no problem+json schema`;
          const examples = Object.values((media.examples ?? {}) as Record<string, Json>);
          if (examples.length === 0) return `${name} ${status}: no problem type`;
          for (const { value } of examples.map(resolve)) {
            const code = /^\/problems\/([a-z0-9-]+)$/.exec(value?.type)?.[1];
            if (!code || !(code in PROBLEM_CATALOG)) return `${name} ${status}: ${value?.type} is not in the catalog`;
            if (value.status !== Number(status)) return `${name} ${status}: ${value.type} has status ${value.status}`;
            if (!response.description.includes(`\`${value.type}\``)) return `${name} ${status}: the description does not say when ${value.type}`;
          }
          if ((status === '429' || status === '503') && !response.headers?.['Retry-After']) return `${name} ${status}: no Retry-After header`;
        }
        return null;
      }),
    ).toEqual([]);
  });

  it('documents 401 and 403 where credentials are needed, 404 where a path names a resource, 422 where input is validated', () => {
    expect(
      failures((name, method, operation) => {
        const statuses = Object.keys(operation.responses);
        const parameters = ((operation.parameters ?? []) as Json[]).map(resolve);
        const wanted: string[] = [];
        if (operation.security.length > 0) wanted.push('401');
        if (operation['x-access'].kind === 'staff') wanted.push('403');
        if (parameters.some((p) => p.in === 'path')) wanted.push('404', '422');
        if (operation.requestBody) wanted.push('400', '413', '415', '422');
        if (method !== 'get') wanted.push('409');
        const missing = wanted.filter((status) => !statuses.includes(status));
        return missing.length ? `${name}: no ${missing.join(', ')}` : null;
      }),
    ).toEqual([]);
  });

  it('documents the headers operations read: Idempotency-Key on authenticated writes, minPosition on authenticated reads', () => {
    expect(
      failures((name, method, operation) => {
        const parameters = ((operation.parameters ?? []) as Json[]).map(resolve);
        const secured = operation.security.length > 0;
        const idempotent = parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
        // The idempotency record is kept per caller: every authenticated write honours the key.
        if (method !== 'get' && secured && !idempotent) return `${name}: no Idempotency-Key header`;
        if ((method === 'get' || !secured) && idempotent) return `${name}: Idempotency-Key where it is not honoured`;
        if (method === 'get' && secured) {
          if (!parameters.some((p) => p.in === 'query' && p.name === 'minPosition')) return `${name}: no minPosition`;
          if (!operation.responses['503']) return `${name}: no 503 for minPosition`;
        }
        return null;
      }),
    ).toEqual([]);
  });

  it('leaves no build-time extension behind', () => {
    expect(JSON.stringify(document)).not.toContain('"x-problems"');
  });

  it('is the committed snapshot, docs/openapi.json (npm run openapi:update rewrites it)', () => {
    const live = `${JSON.stringify(document, null, 2)}\n`;
    if (UPDATE) writeFileSync(SNAPSHOT, live);
    expect(readFileSync(SNAPSHOT, 'utf8') === live ? 'up to date' : 'docs/openapi.json differs from the live document: run npm run openapi:update and review the change').toBe('up to date');
  });

  it('has its client types, test/support/openapi.d.ts, generated from the snapshot', () => {
    const generated = execFileSync(process.execPath, [OPENAPI_TYPESCRIPT, SNAPSHOT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    if (UPDATE) writeFileSync(TYPES, generated);
    expect(readFileSync(TYPES, 'utf8') === generated ? 'up to date' : 'test/support/openapi.d.ts is stale: run npm run openapi:update').toBe('up to date');
  });

  it('checks answers against the document: an undocumented problem fails a test', () => {
    const problems = DocumentedProblems.of(document as never);
    expect(() => problems.check('POST', '/v1/clients', 422, { type: '/problems/validation-failed' })).not.toThrow();
    expect(() => problems.check('POST', '/v1/clients', 409, { type: '/problems/already-invited' })).toThrow(/does not list for 409/);
    expect(() => problems.check('GET', '/v1/clients', 404, { type: '/problems/not-found' })).toThrow(/lists no 404/);
    expect(() => problems.check('GET', '/v1/no-such-route', 404, { type: '/problems/not-found' })).not.toThrow();
  });

  it('types the typed-client test with the generated client: it compiles', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const program = ts.createProgram([TYPED_CLIENT_TEST], { ...options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
