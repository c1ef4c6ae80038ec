import { normalizeModules, PORTAL_MODULES, PortalState, UserTypeModules } from './portal';
import { PortalAccessState, PortalAccessStatus } from './portal-access';

/** Where a portal user's permissions came from at a moment. */
export type PermissionSource =
  | { kind: 'user-type'; userTypeId: string; userTypeName: string }
  | { kind: 'no-user-type'; detail: 'no user type: view only'; userTypeId?: string }
  | { kind: 'access-not-active'; status: Exclude<PortalAccessStatus, 'Active'>; detail: string };

export interface EffectivePermissions {
  status: PortalAccessStatus;
  modules: UserTypeModules;
  source: PermissionSource;
}

const NONE: UserTypeModules = normalizeModules({});
const VIEW_ONLY: UserTypeModules = normalizeModules(Object.fromEntries(PORTAL_MODULES.map((module) => [module, { view: true }])));

/**
 * The module permissions a portal access had, from the access's state and its portal's state
 * folded to the same moment: its user type as that type was defined then, or view-only
 * without one (or when the type no longer existed); nothing at all while the access was
 * invited (not yet accepted), disabled or revoked. Undefined when the access did not exist.
 */
export function effectivePermissions(access: PortalAccessState, portal: PortalState): EffectivePermissions | undefined {
  const status = access.status;
  if (status === null) return undefined;
  if (status !== 'Active') {
    const detail = status === 'Invited' ? 'invitation not accepted yet: no permission' : `access ${status.toLowerCase()}: no permission`;
    return { status, modules: NONE, source: { kind: 'access-not-active', status, detail } };
  }
  const type = access.userTypeId ? portal.userTypes.find((t) => t.userTypeId === access.userTypeId) : undefined;
  if (type) return { status, modules: normalizeModules(type.modules), source: { kind: 'user-type', userTypeId: type.userTypeId, userTypeName: type.name } };
  return {
    status,
    modules: VIEW_ONLY,
    source: { kind: 'no-user-type', detail: 'no user type: view only', ...(access.userTypeId ? { userTypeId: access.userTypeId } : {}) },
  };
}
