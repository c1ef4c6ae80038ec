import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { EventMetadata } from '@app/event-store';

/** Who is calling: set by the authentication guard. */
export interface Principal {
  organizationId: string;
  actor: EventMetadata['actor'];
  role: 'admin' | 'agent' | 'auditor' | 'reporter';
}

/** What every command records about its origin (becomes the events' metadata). */
export interface CommandContext {
  organizationId: string;
  actor: EventMetadata['actor'];
  onBehalfOf?: EventMetadata['onBehalfOf'];
  channel: EventMetadata['channel'];
  correlationId: string;
  /** Scoped idempotency key: event ids are derived from it so a retry cannot duplicate. */
  idempotencyKey?: string;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const IS_PUBLIC = 'isPublic';
/** Marks a route that needs no API key (health, docs, portal invitation acceptance). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export function correlationIdOf(request: FastifyRequest): string {
  const header = request.headers['x-correlation-id'];
  return typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
}

export function idempotencyKeyOf(request: AuthenticatedRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key && request.principal ? `${request.principal.organizationId}:${key}` : undefined;
}

/** The staff caller's command context. */
export const StaffContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const principal = request.principal;
  if (!principal) throw new Error('StaffContext used on a route without authentication');
  return {
    organizationId: principal.organizationId,
    actor: principal.actor,
    channel: 'api',
    correlationId: correlationIdOf(request),
    idempotencyKey: idempotencyKeyOf(request),
  };
});

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});
