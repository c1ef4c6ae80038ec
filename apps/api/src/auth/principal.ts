import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiKeyRole } from '@app/domain';
import { CommandContext, correlationIdOf, idempotencyKeyOf } from '../http/request-context';

export interface StaffPrincipal {
  kind: 'staff';
  organizationId: string;
  keyId: string;
  keyPrefix: string;
  role: ApiKeyRole;
}

export interface PortalPrincipal {
  kind: 'portal-user';
  organizationId: string;
  accessId: string;
  contactId: string;
  /**
   * The companies its contact acts for at the time of this request (primary first, archived
   * ones left out; never empty): it sees and decides documents of these only.
   */
  clientIds: string[];
  /** The first of them: the primary company, unless archived. New documents are filed under it. */
  clientId: string;
  portalId: string;
  /** Whose module permissions apply; null: view-only on every module. */
  userTypeId: string | null;
  sessionId: string;
}

export type Principal = StaffPrincipal | PortalPrincipal;
export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

function principalOf<K extends Principal['kind']>(ctx: ExecutionContext, kind: K): Extract<Principal, { kind: K }> {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal || principal.kind !== kind) throw new Error(`Route needs a ${kind} principal: declare its access`);
  return principal as Extract<Principal, { kind: K }>;
}

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext) => principalOf(ctx, 'staff'));
export const CurrentPortalUser = createParamDecorator((_: unknown, ctx: ExecutionContext) => principalOf(ctx, 'portal-user'));

/** The command context of a staff request: the API key is the actor, `api` the channel. */
export const StaffContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const principal = principalOf(ctx, 'staff');
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return {
    organizationId: principal.organizationId,
    actor: { kind: 'staff', id: principal.keyId },
    channel: 'api',
    correlationId: correlationIdOf(request),
    idempotencyKey: idempotencyKeyOf(request, principal.organizationId),
  };
});

/** The command context of a portal user's request: the user is the actor, `portal` the channel. */
export const PortalContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => {
  const principal = principalOf(ctx, 'portal-user');
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return {
    organizationId: principal.organizationId,
    actor: { kind: 'portal-user', id: principal.accessId },
    channel: 'portal',
    correlationId: correlationIdOf(request),
    idempotencyKey: idempotencyKeyOf(request, `${principal.organizationId}:${principal.accessId}`),
  };
});
