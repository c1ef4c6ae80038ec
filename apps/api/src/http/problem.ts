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
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function validationProblem(errors: ValidationError[]): ProblemException {
  const flat = flatten(errors);
  return new ProblemException(422, 'validation-failed', 'The request is not valid', flat.map((e) => `${e.field}: ${e.message}`).join('; '), {
    errors: flat,
  });
}

function flatten(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { body, headers } = this.toProblem(exception);
    if (body.status >= 500 && !(exception instanceof ProblemException)) {
      this.logger.error(`${request.method} ${request.url.split('?')[0]} failed`, exception instanceof Error ? exception.stack : String(exception));
    }
    reply.status(body.status).headers({ ...headers, 'content-type': 'application/problem+json; charset=utf-8' }).send(body);
  }

  private toProblem(exception: unknown): { body: ProblemBody; headers: Record<string, string> } {
    if (exception instanceof ProblemException) {
      return {
        body: { ...exception.extensions, type: problemType(exception.code), title: exception.title, status: exception.status, detail: exception.detail },
        headers: exception.headers,
      };
    }
    if (exception instanceof DomainError) {
      const status = STATUS_OF[exception.kind];
      const headers: Record<string, string> =
        exception instanceof TooSoonError ? { 'retry-after': String(exception.retryAfterSeconds) } : {};
      return {
        body: { ...exception.details, type: problemType(exception.code), title: TITLES[status], status, detail: exception.message },
        headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'object' && response && 'message' in response ? (response as { message: unknown }).message : exception.message;
      return {
        body: {
          type: problemType(slug(TITLES[status] ?? 'http-error')),
          title: TITLES[status] ?? 'Error',
          status,
          detail: Array.isArray(message) ? message.join('; ') : String(message),
        },
        headers: {},
      };
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
    const fastifyStatus = (exception as { statusCode?: number })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        body: {
          type: problemType(slug(TITLES[fastifyStatus] ?? 'bad-request')),
          title: TITLES[fastifyStatus] ?? 'Bad request',
          status: fastifyStatus,
          detail: (exception as Error).message,
        },
        headers: {},
      };
    }
    return { body: { type: problemType('internal-error'), title: TITLES[500], status: 500, detail: 'An unexpected error occurred.' }, headers: {} };
  }
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
