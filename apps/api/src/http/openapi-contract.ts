import { MAX_IDEMPOTENCY_KEY_LENGTH } from './request-context';
import { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { ACCESS_EXTENSION, PORTAL_SESSION_SCHEME, RouteAccess, STAFF_API_KEY_SCHEME } from '../auth/access';
import { PROBLEM_CATALOG, PROBLEMS_EXTENSION, ProblemCode } from './problem-catalog';
import { problemType, TITLES } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const WRITES: readonly string[] = ['put', 'post', 'delete', 'patch'];
const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * Completes the document Nest builds from the decorators into the contract a consumer
 * generates a client from: the two security schemes (public operations say `security: []`),
 * one problem+json response per error status listing every problem type the operation can
 * answer (its own, declared with `@Problems`, and those its shape implies: authentication,
 * path ids, validation, body parsing, write conflicts, read-your-writes), the
 * `Idempotency-Key` header on the writes that honour it, and `Retry-After` on 429 and 503.
 */
export function completeOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    securitySchemes: SECURITY_SCHEMES,
    schemas: { ...document.components?.schemas, ...PROBLEM_SCHEMAS },
    parameters: { ...document.components?.parameters, IdempotencyKey: IDEMPOTENCY_KEY },
    headers: { ...document.components?.headers, ...RESPONSE_HEADERS },
    // One example per problem type, referenced by each response that can carry it.
    examples: { ...document.components?.examples, ...Object.fromEntries(Object.keys(PROBLEM_CATALOG).map((code) => [code, exampleOf(code as ProblemCode)])) },
  };
  const answers: { operation: OperationObject; status: number; codes: ProblemCode[] }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const codes = completeOperation(`${method.toUpperCase()} ${path}`, method, operation);
      // The problem responses replace whatever error response a decorator may have declared.
      operation.responses = Object.fromEntries(Object.entries(operation.responses).filter(([status]) => Number(status) < 400));
      for (const [status, list] of byStatus(codes)) answers.push({ operation, status, codes: list });
    }
  }
  // A problem response several operations share is defined once, in components.responses.
  const uses = new Map<string, number>();
  for (const { status, codes } of answers) {
    const name = responseName(status, codes);
    uses.set(name, (uses.get(name) ?? 0) + 1);
  }
  const shared: Record<string, ResponseObject> = {};
  for (const { operation, status, codes } of answers) {
    const name = responseName(status, codes);
    if (uses.get(name)! > 1) {
      shared[name] ??= problemResponse(status, codes);
      operation.responses[String(status)] = { $ref: `#/components/responses/${name}` };
    } else {
      operation.responses[String(status)] = problemResponse(status, codes);
    }
  }
  document.components.responses = { ...document.components.responses, ...shared };
  return document;
}

/** Declares the operation's security and headers; answers every problem type it can answer. */
function completeOperation(name: string, method: string, operation: OperationObject): Set<ProblemCode> {
  const extensions = operation as OperationObject & Record<string, unknown>;
  const access = extensions[ACCESS_EXTENSION] as RouteAccess | undefined;
  if (!access) throw new Error(`${name} declares no access (Public, Staff or PortalUser)`);
  const own = (extensions[PROBLEMS_EXTENSION] as ProblemCode[] | undefined) ?? [];
  delete extensions[PROBLEMS_EXTENSION];

  const secured = access.kind !== 'public';
  if (!secured) operation.security = [];
  const write = WRITES.includes(method);
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  const inPath = parameters.some((p) => p.in === 'path');
  const query = parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const codes = new Set<ProblemCode>(own);
  if (secured) codes.add('unauthorized');
  // Every portal user may see and change its own profile: no user type refuses it.
  if (access.kind === 'staff' || (access.kind === 'portal' && access.module !== 'profile')) codes.add('forbidden');
  if (inPath) codes.add('not-found');
  if (inPath || query.length > 0) codes.add('validation-failed');
  if (operation.requestBody) {
    for (const code of ['validation-failed', 'bad-request', 'malformed-json', 'nesting-too-deep', 'payload-too-large', 'unsupported-media-type', 'request-timeout'] as const) codes.add(code);
  }
  if (query.includes('cursor')) codes.add('invalid-cursor');
  if (method === 'get' && query.includes('minPosition')) for (const code of ['projection-lagging', 'position-beyond-head'] as const) codes.add(code);
  if (query.includes('asOf')) for (const code of ['invalid-as-of', 'not-found-as-of', 'stream-unreadable'] as const) codes.add(code);
  if (write) {
    codes.add('concurrency-conflict');
    // A stored event of the stream that no longer parses (altered in storage) refuses commands on it.
    codes.add('stream-unreadable');
    codes.add('invalid-idempotency-key');
    if (secured) {
      // The idempotency record is kept per caller, so only authenticated writes honour the key.
      codes.add('idempotency-key-reused');
      codes.add('idempotency-key-in-use');
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
    }
  }
  return codes;
}

/** The codes grouped by status, statuses ascending, codes sorted. */
function byStatus(codes: Set<ProblemCode>): [number, ProblemCode[]][] {
  const grouped = new Map<number, ProblemCode[]>();
  for (const code of [...codes].sort()) {
    const { status } = PROBLEM_CATALOG[code];
    grouped.set(status, [...(grouped.get(status) ?? []), code]);
  }
  return [...grouped.entries()].sort(([a], [b]) => a - b);
}

/** `422.validation-failed.weak-password`: says what the shared response holds. */
function responseName(status: number, codes: ProblemCode[]): string {
  return [status, ...codes].join('.');
}

/** The problem+json response of one status: the schema, an example per type, and `type — when` for each. */
function problemResponse(status: number, codes: ProblemCode[]): ResponseObject {
  const headers: ResponseObject['headers'] = {};
  if (status === 429 || status === 503) headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
  if (codes.includes('unauthorized')) headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWWAuthenticate' };
  return {
    description: [`${TITLES[status] ?? 'Error'}:`, ...codes.map((code) => `- \`${problemType(code)}\` — ${PROBLEM_CATALOG[code].when}`)].join('\n'),
    ...(Object.keys(headers).length ? { headers } : {}),
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: { $ref: '#/components/schemas/Problem' },
        examples: Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${code}` }])),
      },
    },
  };
}

function exampleOf(code: ProblemCode): { summary: string; value: Record<string, unknown> } {
  const definition: { status: number; when: string; title?: string } = PROBLEM_CATALOG[code];
  const value: Record<string, unknown> = {
    type: problemType(code),
    title: definition.title ?? TITLES[definition.status],
    status: definition.status,
    detail: definition.when,
  };
  if (code === 'validation-failed') value.errors = [{ field: 'name', message: 'name must be a string' }];
  return { summary: `${definition.status} ${problemType(code)}`, value };
}

const SECURITY_SCHEMES = {
  [STAFF_API_KEY_SCHEME]: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'opaque API key (cpk_...)',
    description:
      "Staff and backend consumers: `Authorization: Bearer cpk_...`, an opaque API key (not a JWT) of one organization, with a role (admin, agent, auditor, reporter). Each operation's `x-access` names the permission it needs and the roles that have it.",
  },
  [PORTAL_SESSION_SCHEME]: {
    type: 'http' as const,
    scheme: 'bearer',
    bearerFormat: 'opaque session token (cps_...)',
    description:
      "Portal users: `Authorization: Bearer cps_...`, the opaque session token `POST /v1/portal/sessions` answers (not a JWT). Each operation's `x-access` names the module and action the user's type must allow.",
  },
};

const PROBLEM_SCHEMAS = {
  ProblemFieldError: {
    type: 'object' as const,
    required: ['field', 'message'],
    properties: {
      field: { type: 'string' as const, description: 'The offending field, as a path into the request (`lines.0.amount`, `minPosition`).', example: 'name' },
      message: { type: 'string' as const, description: 'What is wrong with it.', example: 'name must be a string' },
    },
  },
  Problem: {
    type: 'object' as const,
    description:
      'RFC 9457 problem details. `type` is stable (one per rule; clients branch on it); other members are extensions some types add (`currentStatus`, `retryAfterSeconds`, `line`, ...).',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string' as const, format: 'uri-reference', description: 'The problem type: `/problems/<code>`.', example: '/problems/validation-failed' },
      title: { type: 'string' as const, description: 'A short summary of the type.', example: 'The request is not valid' },
      status: { type: 'integer' as const, minimum: 400, maximum: 599, description: 'The HTTP status code.', example: 422 },
      detail: { type: 'string' as const, description: 'What went wrong with this request, for a person.' },
      instance: { type: 'string' as const, format: 'uri-reference', description: 'This occurrence, when given.' },
      errors: { type: 'array' as const, items: { $ref: '#/components/schemas/ProblemFieldError' }, description: 'For bad input: each offending field and what is wrong with it.' },
    },
    additionalProperties: true,
  },
};

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Apply this write at most once: a repeat with the same key and the same request answers the first answer without executing again; the same key with another request is refused (`/problems/idempotency-key-reused`); a repeat while the first is still being processed waits for its answer, or answers `/problems/idempotency-key-in-use` after 10 s. Keys are kept per caller.',
  schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
};

const RESPONSE_HEADERS = {
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' as const, minimum: 1 } },
  WWWAuthenticate: { description: 'The authentication scheme to use: `Bearer`.', schema: { type: 'string' as const } },
};
