import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../http/problem';
import { OPERATOR_PERMISSIONS, ROLE_PERMISSIONS, ROUTE_ACCESS, RouteAccess } from './access';
import { ApiKeys, OPERATOR_ORGANIZATION_ID } from './api-keys';
import { PortalSessions } from './portal-sessions';
import { Portals } from '../portals/portals.service';
import { AuthenticatedRequest as PrincipalRequest } from './principal';

/** Set on a request once the guard's rules have let it through. */
export const AUTHORIZED = Symbol('authorized');
type AuthenticatedRequest = PrincipalRequest & { [AUTHORIZED]?: true };

/**
 * The one place that decides who may call what. Staff: a valid API key whose role grants the
 * route's permission (403 otherwise). Portal users: a valid session of an Active access whose
 * user type allows the route's action on its module (no user type: view-only). Which records a caller may see is then
 * decided by organization (and, for portal users, company) in the queries and commands.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly sessions: PortalSessions,
    private readonly portals: Portals,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Usually decided already, before the body was read (see early-authorization.ts).
    if (request[AUTHORIZED]) return true;
    await this.authorize(access, request);
    return true;
  }

  /** Throws 401 or 403 unless the request may call a route declared with `access`; sets its principal. */
  async authorize(access: RouteAccess | undefined, request: AuthenticatedRequest): Promise<void> {
    if (!access) {
      this.logger.error(`${request.method} ${request.routeOptions.url} declares no access rule: refused`);
      throw forbidden('This route is not open to anyone.');
    }
    switch (access.kind) {
      case 'public':
        break;
      case 'staff': {
        const principal = await this.apiKeys.authenticate(request.headers.authorization);
        if (!principal) throw unauthorized('A valid API key is required: Authorization: Bearer <key>.');
        request.principal = principal;
        const granted = ROLE_PERMISSIONS[principal.role].includes(access.permission);
        const operatorOnly = OPERATOR_PERMISSIONS.includes(access.permission) && principal.organizationId !== OPERATOR_ORGANIZATION_ID;
        if (!granted || operatorOnly) throw forbidden(`The ${principal.role} role of this key may not do this.`);
        break;
      }
      case 'portal': {
        const principal = await this.sessions.authenticate(request.headers.authorization);
        if (!principal) throw unauthorized('A valid portal session is required: Authorization: Bearer <session token>.');
        request.principal = principal;
        // Every portal user may see and change its own profile; module rights come with its user type.
        if (access.module === 'profile') break;
        const permissions = await this.portals.permissionsOf(principal.organizationId, principal.portalId, principal.userTypeId);
        if (!permissions[access.module][access.action]) {
          throw forbidden(`This portal user's type does not allow ${access.action} on ${access.module}.`);
        }
        break;
      }
    }
    request[AUTHORIZED] = true;
  }
}

function unauthorized(detail: string): ProblemException {
  return new ProblemException(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
}

function forbidden(detail: string): ProblemException {
  return new ProblemException(403, 'forbidden', 'Forbidden', detail);
}
