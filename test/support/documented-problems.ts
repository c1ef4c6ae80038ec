/**
 * The problems each operation of the app's OpenAPI document says it answers, to check every
 * problem+json answer an end-to-end test receives against it: the status must be documented
 * on the operation and the `type` must be among that status's documented types. So every
 * suite is also a check that routes document the problems they answer.
 */

interface DocumentedOperation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Path parameters: a literal segment wins over a parameter, as in the router. */
  parameters: number;
  /** Documented problem types by status. */
  problems: Map<number, Set<string>>;
}

type Reference = { $ref: string };
type Example = { value?: { type?: string } };
type Response = { content?: Record<string, { examples?: Record<string, Example | Reference> }> };

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, Response | Reference> }>>;
  components?: { examples?: Record<string, Example>; responses?: Record<string, Response> };
}

/** Statuses the HTTP layer answers before any route is chosen. */
const UNROUTED_STATUSES = new Set([414, 431]);

export class DocumentedProblems {
  private constructor(private readonly operations: DocumentedOperation[]) {}

  static async load(baseUrl: string): Promise<DocumentedProblems> {
    const response = await fetch(`${baseUrl}/docs/openapi.json`);
    if (!response.ok) throw new Error(`GET /docs/openapi.json answered ${response.status}`);
    return DocumentedProblems.of((await response.json()) as OpenApiDocument);
  }

  static of(document: OpenApiDocument): DocumentedProblems {
    const operations: DocumentedOperation[] = [];
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const problems = new Map<number, Set<string>>();
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          const examples = resolve(response, document)?.content?.['application/problem+json']?.examples ?? {};
          problems.set(Number(status), new Set(Object.values(examples).map((example) => resolve(example, document)?.value?.type ?? '')));
        }
        const source = template
          .split(/\{[^}]+\}/)
          .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+');
        operations.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}/?$`), parameters: (template.match(/\{/g) ?? []).length, problems });
      }
    }
    operations.sort((a, b) => a.parameters - b.parameters);
    return new DocumentedProblems(operations);
  }

  /** Throws unless the operation that answered documents this problem; unmatched routes pass. */
  check(method: string, url: string, status: number, body: unknown): void {
    if (UNROUTED_STATUSES.has(status)) return;
    const path = url.split('?')[0];
    const operation = this.operations.find((candidate) => candidate.method === method.toUpperCase() && candidate.pattern.test(path));
    if (!operation) return;
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    const documented = operation.problems.get(status);
    const where = `${method.toUpperCase()} ${url} (operation ${operation.method} ${operation.template})`;
    if (!documented) {
      const statuses = [...operation.problems.keys()].filter((s) => s >= 400).join(', ') || 'none';
      throw new Error(`${where} answered ${status} ${String(type)}, but the OpenAPI document lists no ${status} for it (error statuses documented: ${statuses}).`);
    }
    if (typeof type !== 'string' || !documented.has(type)) {
      throw new Error(`${where} answered ${status} ${String(type)}, which the OpenAPI document does not list for ${status} (listed: ${[...documented].join(', ')}). Declare it with @Problems on the route.`);
    }
  }
}

/** A component the document defines once (`#/components/<kind>/<name>`), or the value itself. */
function resolve<T>(value: T | Reference, document: OpenApiDocument): T | undefined {
  if (typeof value !== 'object' || value === null || !('$ref' in value)) return value;
  const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(value.$ref) ?? [];
  return (document.components as Record<string, Record<string, T>> | undefined)?.[kind]?.[name];
}
