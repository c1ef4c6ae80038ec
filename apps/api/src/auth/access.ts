import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { API_KEY_ROLES, ApiKeyRole } from '@app/domain';

/**
 * Who may call a route, declared once on the route; the AuthGuard is the only place that
 * decides. A route without a declaration is refused (fail closed).
 */
export type Permission =
  | 'organizations:create' // operator admins only
  | 'api-keys:manage'
  | 'portals:manage'
  | 'directory:write'
  | 'portal-access:write'
  | 'read-models:read'
  | 'reports:read' // aggregate reports (reporter, admin)
  | 'audit:read'
  | 'organization:manage' // the organization's own settings
  | 'documents:write' // comments and other staff actions on shared documents
  | 'operations:read' // metrics and the health details: operator admins only
  | 'projections:manage'; // operator admins only: the projections serve every organization

export const ROLE_PERMISSIONS: Record<ApiKeyRole, readonly Permission[]> = {
  admin: [
    'organizations:create',
    'api-keys:manage',
    'portals:manage',
    'directory:write',
    'portal-access:write',
    'read-models:read',
    'reports:read',
    'audit:read',
    'organization:manage',
    'documents:write',
    'operations:read',
    'projections:manage',
  ],
  agent: ['directory:write', 'portal-access:write', 'read-models:read', 'documents:write'],
  auditor: ['audit:read'],
  reporter: ['read-models:read', 'reports:read'],
};

/** Permissions about the whole service, not one organization: only the operator organization's keys hold them. */
export const OPERATOR_PERMISSIONS: readonly Permission[] = ['organizations:create', 'operations:read', 'projections:manage'];

/** Portal modules and actions, for user types (next issues); `profile` is every user's own. */
export type PortalModule = 'profile' | 'shifts' | 'timesheets' | 'quotes' | 'invoices' | 'projects' | 'documents';
export type PortalAction = 'view' | 'create' | 'edit' | 'delete' | 'approve';

/**
 * Where a portal route's permissions come from, beyond the user type (see PortalPermissions):
 * - `document`: the route param naming a document of the module's kind; a document of a
 *   project is decided by the user's permissions in that project (not in it: 404);
 * - `projectInBody`: the body's `projectId` names the project a new document is for;
 * - `list`: a list, open when the user type or one of the user's projects allows the module
 *   (its rows are then judged one by one).
 * Without a scope: the user type's permissions.
 */
export type PortalScope = { document: string } | { projectInBody: true } | { list: true };

export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'staff'; permission: Permission }
  | { kind: 'portal'; module: PortalModule; action: PortalAction; scope?: PortalScope };

export const ROUTE_ACCESS = 'routeAccess';

/** The OpenAPI security schemes (declared by the document post-processor). */
export const STAFF_API_KEY_SCHEME = 'staffApiKey';
export const PORTAL_SESSION_SCHEME = 'portalSession';
/** OpenAPI extension naming who may call an operation (the route's RouteAccess). */
export const ACCESS_EXTENSION = 'x-access';

/**
 * The rule, for the guard, and its documentation: the security scheme and the `x-access`
 * extension (for staff, with the roles that have the permission).
 */
function declare(access: RouteAccess, scheme?: string) {
  const documented = access.kind === 'staff' ? { ...access, roles: API_KEY_ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(access.permission)) } : access;
  return applyDecorators(SetMetadata(ROUTE_ACCESS, access), ApiExtension(ACCESS_EXTENSION, documented), ...(scheme ? [ApiBearerAuth(scheme)] : []));
}

/** No credentials needed (health, docs, invitation acceptance, sign-in). */
export const Public = () => declare({ kind: 'public' });
/** Staff with an API key whose role grants the permission. */
export const Staff = (permission: Permission) => declare({ kind: 'staff', permission }, STAFF_API_KEY_SCHEME);
/** A signed-in portal user with Active access, allowed the action on the module (where `scope` says). */
export const PortalUser = (module: PortalModule, action: PortalAction, scope?: PortalScope) =>
  declare({ kind: 'portal', module, action, ...(scope ? { scope } : {}) }, PORTAL_SESSION_SCHEME);
