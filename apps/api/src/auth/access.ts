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
  | 'documents:write' // comments and other staff actions on shared documents
  | 'operations:read'; // metrics and the health details: operator admins only

export const ROLE_PERMISSIONS: Record<ApiKeyRole, readonly Permission[]> = {
  admin: [
    'organizations:create',
    'api-keys:manage',
    'portals:manage',
    'directory:write',
    'portal-access:write',
    'read-models:read',
    'audit:read',
    'organization:manage',
    'documents:write',
    'operations:read',
  ],
  agent: ['directory:write', 'portal-access:write', 'read-models:read', 'documents:write'],
  auditor: ['audit:read'],
  reporter: ['read-models:read'],
};

/** Permissions about the whole service, not one organization: only the operator organization's keys hold them. */
export const OPERATOR_PERMISSIONS: readonly Permission[] = ['organizations:create', 'operations:read'];

/** Portal modules and actions, for user types (next issues); `profile` is every user's own. */
export type PortalModule = 'profile' | 'shifts' | 'timesheets' | 'quotes' | 'invoices' | 'projects' | 'documents';
export type PortalAction = 'view' | 'create' | 'edit' | 'delete' | 'approve';

export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'staff'; permission: Permission }
  | { kind: 'portal'; module: PortalModule; action: PortalAction };

export const ROUTE_ACCESS = 'routeAccess';

/** No credentials needed (health, docs, invitation acceptance, sign-in). */
export const Public = () => SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess);
/** Staff with an API key whose role grants the permission. */
export const Staff = (permission: Permission) => SetMetadata(ROUTE_ACCESS, { kind: 'staff', permission } satisfies RouteAccess);
/** A signed-in portal user with Active access, allowed the action on the module. */
export const PortalUser = (module: PortalModule, action: PortalAction) =>
  SetMetadata(ROUTE_ACCESS, { kind: 'portal', module, action } satisfies RouteAccess);
