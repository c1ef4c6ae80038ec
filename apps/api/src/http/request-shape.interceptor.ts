import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { servesHtmlPages } from './html-pages';
import { invalidInput, ProblemException } from './problem';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './request-context';

/**
 * What a request may carry besides its body: query parameters the route knows (a route
 * without a query DTO knows only `minPosition`, on a GET; a query DTO refuses the ones it
 * does not declare), and an `Idempotency-Key` of 1 to 200 visible ASCII characters.
 */
@Injectable()
export class RequestShapeInterceptor implements NestInterceptor {
  private readonly routesWithQuery = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw new ProblemException(
        422,
        'invalid-idempotency-key',
        'Invalid Idempotency-Key',
        `The Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`,
        { errors: [{ field: 'Idempotency-Key', message: `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters` }] },
      );
    }
    // The HTML pages (left out of the API document) read their own query, and answer in HTML.
    if (!this.declaresQuery(context) && !servesHtmlPages(context.getClass())) {
      const allowed = request.method === 'GET' || request.method === 'HEAD' ? ['minPosition'] : [];
      const unknown = Object.keys((request.query as Record<string, unknown> | undefined) ?? {}).filter((name) => !allowed.includes(name));
      if (unknown.length > 0) {
        throw invalidInput(unknown.map((name) => ({ field: name, message: `${name} is not a query parameter of this route` })));
      }
    }
    return next.handle();
  }

  /** Whether the handler takes a @Query() DTO (which then validates every parameter). */
  private declaresQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.routesWithQuery.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      known = Object.keys(args).some((arg) => arg.split(':')[0] === String(RouteParamtypes.QUERY));
      this.routesWithQuery.set(handler, known);
    }
    return known;
  }
}

const IDEMPOTENCY_KEY = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);
