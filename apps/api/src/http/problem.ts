import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, DomainErrorKind, TooSoonError } from '@app/domain';

/**
 * Errors leave the service as RFC 9457 problem details: a stable `type` (one per rule, so
 * clients can branch on it), a title, the status, a human `detail`, the offending `errors`
 * for bad input, and never a stack trace.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

export const problemType = (code: string) => `/problems/${code}`;

export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

const STATUS_OF: Record<DomainErrorKind, number> = {
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'too-soon': 429,
  gone: 410,
  invalid: 400,
};

export const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

const VALIDATION_TITLE = 'The request is not valid';

/** One offending field of a refused request: its path (`lines[0].quantity`) and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** The one shape of a refused input: 422 `/problems/validation-failed` naming each field. */
export function invalidInput(errors: FieldError[], extensions: Record<string, unknown> = {}): ProblemException {
  return new ProblemException(422, 'validation-failed', VALIDATION_TITLE, errors.map((e) => e.message).join('; '), { ...extensions, errors });
}

export function validationProblem(errors: ValidationError[]): ProblemException {
  return invalidInput(flatten(errors));
}

/**
 * What is wrong with a value is said once, most basic first: a missing field is "required",
 * a value of the wrong type says the type it must have (not every rule a string of that
 * type would then break); only a value of the right type is told its other rules.
 */
const CONSTRAINT_RANK: Record<string, number> = {
  whitelistValidation: 0,
  isDefined: 1,
  isString: 2,
  isNumber: 2,
  isInt: 2,
  isBoolean: 2,
  isArray: 2,
  isObject: 2,
  nestedValidation: 2,
  unknownValue: 2,
};
const VALUE_RULES = 3;

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    const rank = Math.min(VALUE_RULES, ...constraints.map(([name]) => CONSTRAINT_RANK[name] ?? VALUE_RULES));
    const own = constraints
      .filter(([name]) => (CONSTRAINT_RANK[name] ?? VALUE_RULES) === rank)
      .map(([name, message]) => ({ field, message: messageOf(name, message, field, error.value, rank) }));
    // A field refused for its type is not also told about what is inside it.
    const children = rank < VALUE_RULES && own.length > 0 ? [] : flatten(error.children ?? [], field);
    return [...(rank === VALUE_RULES ? own : own.slice(0, 1)), ...children];
  });
}

function messageOf(constraint: string, message: string, field: string, value: unknown, rank: number): string {
  if (constraint === 'whitelistValidation') return `${field} is not a known field`;
  if (rank < VALUE_RULES && value === undefined) return `${field} is required`;
  if (constraint === 'nestedValidation') return `${field} must be an object`;
  // class-validator names the bare property; say the whole path.
  const property = field.replace(/^.*[.\]]/, '').replace(/^.*\[/, '');
  return message.startsWith(`${property} `) ? `${field}${message.slice(property.length)}` : message;
}

/** The body and headers of the problem any exception is answered with. */
export function problemOf(exception: unknown): { body: ProblemBody; headers: Record<string, string> } {
  if (exception instanceof ProblemException) {
    return {
      // The standard members win over an extension of the same name.
      body: { ...exception.extensions, type: problemType(exception.code), title: exception.title, status: exception.status, detail: exception.detail },
      headers: exception.headers,
    };
  }
  if (exception instanceof DomainError) {
    const status = STATUS_OF[exception.kind];
    const headers: Record<string, string> = exception instanceof TooSoonError ? { 'retry-after': String(exception.retryAfterSeconds) } : {};
    // One title per type: refused input reads the same wherever it is refused.
    const title = exception.code === 'validation-failed' ? VALIDATION_TITLE : TITLES[status];
    return { body: { ...exception.details, type: problemType(exception.code), title, status, detail: exception.message }, headers };
  }
  if (exception instanceof HttpException) {
    // Nest's own (404 for an unknown route), and Fastify's errors as Nest wraps them (status and message only).
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? (response as { message: unknown }).message : exception.message;
    return frameworkProblem(status, undefined, Array.isArray(message) ? message.join('; ') : String(message));
  }
  // Fastify's own errors (body too large, wrong content type, bad URL, ...) carry a code and a 4xx statusCode.
  const { code, statusCode, message } = (exception ?? {}) as { code?: string; statusCode?: number; message?: string };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return frameworkProblem(statusCode, code, String(message));
  return { body: { type: problemType('internal-error'), title: TITLES[500], status: 500, detail: 'An unexpected error occurred.' }, headers: {} };
}

function frameworkProblem(status: number, code: string | undefined, message: string): { body: ProblemBody; headers: Record<string, string> } {
  const known = (code && FRAMEWORK_ERRORS[code]) || FRAMEWORK_ERRORS[status];
  if (known) return { body: { type: problemType(known.type), title: TITLES[known.status], status: known.status, detail: known.detail }, headers: {} };
  return { body: { type: problemType(slug(TITLES[status] ?? 'http-error')), title: TITLES[status] ?? 'Error', status, detail: message }, headers: {} };
}

const SEND_JSON = 'Send the body as JSON, with Content-Type: application/json.';

/** Refusals that input can cause before a route runs (by Fastify code, or by status), each with a stable type and what to do. */
const FRAMEWORK_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  415: { status: 415, type: 'unsupported-media-type', detail: SEND_JSON },
  413: { status: 413, type: 'payload-too-large', detail: 'The request body is larger than this route accepts.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, type: 'bad-request', detail: 'The Content-Length header does not match the body.' },
  FST_ERR_BAD_URL: { status: 400, type: 'bad-url', detail: 'The URL is not valid: check its percent-encoding.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, type: 'uri-too-long', detail: 'A path segment of the URL is too long.' },
};

/** Writes a problem as the answer (for the places outside Nest: Fastify hooks and handlers). */
export function sendProblem(reply: FastifyReply, exception: unknown): FastifyReply {
  const { body, headers } = problemOf(exception);
  return reply.status(body.status).headers({ ...headers, 'content-type': PROBLEM_CONTENT_TYPE }).send(body);
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { body } = problemOf(exception);
    if (body.status >= 500 && !(exception instanceof ProblemException)) {
      this.logger.error(`${request.method} ${request.url.split('?')[0]} failed`, exception instanceof Error ? exception.stack : String(exception));
    }
    sendProblem(reply, exception);
  }
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
