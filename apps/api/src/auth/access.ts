import { SetMetadata } from '@nestjs/common';
import { ApiKeyRole } from '@app/domain';

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
  | 'audit:read'
  | 'organization:manage' // the organization's own settings
  | 'documents:write'; // comments and other staff actions on shared documents

export const ROLE_PERMISSIONS: Record<ApiKeyRole, readonly Permission[]> = {
  admin: ['organizations:create', 'api-keys:manage', 'portals:manage', 'directory:write', 'portal-access:write', 'read-models:read', 'audit:read', 'organization:manage', 'documents:write'],
  agent: ['directory:write', 'portal-access:write', 'read-models:read', 'documents:write'],
  auditor: ['audit:read'],
  reporter: ['read-models:read'],
};

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

/** No credentials needed (health, docs, invitation acceptance, sign-in). */
export const Public = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
/** Staff with an API key whose role grants the permission. */
export const Staff = (permission: Permission) => SetMetadata(ROUTE_ACCESS, { kind: 'staff', permission } satisfies RouteAccess);
/** A signed-in portal user with Active access, allowed the action on the module (where `scope` says). */
export const PortalUser = (module: PortalModule, action: PortalAction, scope?: PortalScope) =>
  SetMetadata(ROUTE_ACCESS, { kind: 'portal', module, action, ...(scope ? { scope } : {}) } satisfies RouteAccess);
