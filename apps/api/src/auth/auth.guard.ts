import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DocumentAudience, DOCUMENT_MODULE, DocumentKind, DomainError, PortalActionName, PortalModuleName } from '@app/domain';
import { ProblemException } from '../http/problem';
import { OPERATOR_PERMISSIONS, ROLE_PERMISSIONS, ROUTE_ACCESS, RouteAccess } from './access';
import { ApiKeys, OPERATOR_ORGANIZATION_ID } from './api-keys';
import { PortalSessions } from './portal-sessions';
import { isAsOfRequest } from '../audit/as-of';
import { PortalPermissions } from './portal-permissions';
import { AuthenticatedRequest, PortalPrincipal } from './principal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND_OF_MODULE = Object.fromEntries(Object.entries(DOCUMENT_MODULE).map(([kind, module]) => [module, kind])) as Partial<Record<PortalModuleName, DocumentKind>>;

/**
 * The one place that decides who may call what. Staff: a valid API key whose role grants the
 * route's permission (403 otherwise). Portal users: a valid session of an Active access whose
 * permissions allow the route's action on its module: its user type's (no user type:
 * view-only), or, for a document of a project (and a new document for one), its effective
 * permissions in that project, read from the project's stream now (not in the project: the
 * document is "not found"). Which records a caller may see is then decided by organization
 * (and, for portal users, company) in the queries and commands.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly sessions: PortalSessions,
    private readonly permissions: PortalPermissions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!access) {
      this.logger.error(`${request.method} ${request.routeOptions.url} declares no access rule: refused`);
      throw forbidden('This route is not open to anyone.');
    }
    switch (access.kind) {
      case 'public':
        return true;
      case 'staff': {
        const principal = await this.apiKeys.authenticate(request.headers.authorization);
        if (!principal) throw unauthorized('A valid API key is required: Authorization: Bearer <key>.');
        request.principal = principal;
        // A past state (asOf on a route that offers it) is an audit read, whatever the route's own rule.
        const permission = isAsOfRequest(this.reflector, context) ? 'audit:read' : access.permission;
        const granted = ROLE_PERMISSIONS[principal.role].includes(permission);
        const operatorOnly = OPERATOR_PERMISSIONS.includes(permission) && principal.organizationId !== OPERATOR_ORGANIZATION_ID;
        if (!granted || operatorOnly) throw forbidden(`The ${principal.role} role of this key may not do this.`);
        return true;
      }
      case 'portal': {
        const principal = await this.sessions.authenticate(request.headers.authorization);
        if (!principal) throw unauthorized('A valid portal session is required: Authorization: Bearer <session token>.');
        request.principal = principal;
        // Every portal user may see and change its own profile; module rights come with its
        // user type, or with its place in a project.
        if (access.module === 'profile') return true;
        await this.authorizePortalUser(principal, access.module, access.action, access.scope, request);
        return true;
      }
    }
  }

  private async authorizePortalUser(
    user: PortalPrincipal,
    module: PortalModuleName,
    action: PortalActionName,
    scope: Extract<RouteAccess, { kind: 'portal' }>['scope'],
    request: AuthenticatedRequest,
  ): Promise<void> {
    let projectId: string | null = null;
    let notFound = () => new DomainError('not-found', 'project-not-found', 'No such project.');
    let audience: DocumentAudience | null = null;
    if (scope && 'document' in scope) {
      const kind = KIND_OF_MODULE[module];
      const id = (request.params as Record<string, string | undefined>)[scope.document];
      if (!kind) throw new Error(`Route scope names a document of ${module}, which has none`);
      // A malformed id is the route's 404 (its pipe), after the user type's check below.
      const document = typeof id === 'string' && UUID.test(id) ? await this.permissions.documentOf(user.organizationId, kind, id.toLowerCase()) : null;
      projectId = document?.projectId ?? null;
      audience = document?.audience ?? null;
      notFound = () => new DomainError('not-found', `${kind}-not-found`, `No such ${kind}.`);
    } else if (scope && 'projectInBody' in scope) {
      const named = (request.body as { projectId?: unknown } | undefined)?.projectId;
      if (typeof named === 'string' && UUID.test(named)) projectId = named.toLowerCase();
    } else if (scope && 'list' in scope) {
      if (!(await this.permissions.mayUseModule(user, module, action))) {
        throw forbidden(`Neither this portal user's type nor its projects allow ${action} on ${module}.`);
      }
      return;
    }
    if (projectId) {
      const modules = await this.permissions.forDocument(user, projectId);
      if (!modules) throw notFound();
      if (!modules[module][action]) {
        // Another company's document of the same project is "not found", never "forbidden".
        if (audience && !(await this.permissions.maySee(user, audience))) throw notFound();
        throw forbidden(`This portal user's permissions in the project do not allow ${action} on ${module}.`);
      }
      return;
    }
    const permissions = await this.permissions.ofUserType(user);
    if (!permissions[module][action]) throw forbidden(`This portal user's type does not allow ${action} on ${module}.`);
  }
}

function unauthorized(detail: string): ProblemException {
  return new ProblemException(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
}

function forbidden(detail: string): ProblemException {
  return new ProblemException(403, 'forbidden', 'Forbidden', detail);
}
