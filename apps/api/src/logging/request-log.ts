import { Logger } from '@nestjs/common';
import { FastifyInstance } from 'fastify';
import { AuthenticatedRequest } from '../auth/principal';
import { correlationIdOf } from '../http/request-context';

/**
 * One line per answered request: method, route pattern (never the URL: no ids, no query
 * string, so no token that a link carries), status, duration, correlation id and who called
 * (the API key's or the portal access's id; never a secret).
 */
export function logRequests(fastify: FastifyInstance, logger = new Logger('HTTP')): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const principal = (request as AuthenticatedRequest).principal;
    logger.log({
      msg: 'request',
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      correlationId: correlationIdOf(request),
      actor: principal ? (principal.kind === 'staff' ? { kind: 'staff', id: principal.keyId } : { kind: 'portal-user', id: principal.accessId }) : null,
    });
    done();
  });
}
