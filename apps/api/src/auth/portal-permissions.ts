import { Inject, Injectable } from '@nestjs/common';
import {
  DocumentAudience,
  documentAudience,
  DocumentKind,
  documentStream,
  ProjectEffectivePermissions,
  projectPermissionsOf,
  project,
  ProjectClientUser,
  projectMembership,
  ProjectState,
  projectStream,
  PortalActionName,
  PortalModuleName,
  portalUserMaySee,
  UserTypeModules,
} from '@app/domain';
import { PROJECT_MEMBERS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { READ_STORE } from '../infrastructure/tokens';
import { Organizations } from '../organizations/organizations';
import { Portals } from '../portal-configuration/portals.service';
import { PortalPrincipal } from './principal';

/** A portal user in one of its projects, as the project's stream tells it now. */
export interface PortalUserInProject {
  projectId: string;
  project: ProjectState;
  member: ProjectClientUser;
  permissions: ProjectEffectivePermissions;
}

/** Projects a contact may be in, read per request (a contact in more is unusual). */
const MAX_PROJECTS_PER_USER = 1_000;

/**
 * What a portal user may do, decided from the facts as they are now (the AuthGuard asks here,
 * and so does every check of a document a route cannot name in advance):
 *
 * - a document without a project: its user type's permissions (view-only without one);
 * - a document of a project: the user's effective permissions in that project (its
 *   customization there, else its user type's), read from the project's stream on every
 *   request: a user removed from the project, or whose company left it, or whose contact left
 *   that company, is not in it any more, and the project's documents do not exist for it;
 * - a list: open when its user type or one of its projects allows the module; each row is then
 *   judged as its document would be.
 */
@Injectable()
export class PortalPermissions {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly organizations: Organizations,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  /** The user type's permissions (view-only on every module without one). */
  ofUserType(user: PortalPrincipal): Promise<UserTypeModules> {
    return this.portals.permissionsOf(user.organizationId, user.portalId, user.userTypeId);
  }

  /** The user's place in a project and its effective permissions there; null: not in it (or no such project). */
  async inProject(user: PortalPrincipal, projectId: string): Promise<PortalUserInProject | null> {
    const { state } = await this.executor.load(projectStream(projectId), project, user.organizationId);
    const member = projectMembership(state, user);
    if (!member) return null;
    const modules = member.permissions ? member.permissions.modules : await this.ofUserType(user);
    return { projectId, project: state, member, permissions: projectPermissionsOf(member, { userTypeId: user.userTypeId, modules }) };
  }

  /** Permissions on a document: its project's where it has one (null: not in that project), else the user type's. */
  async forDocument(user: PortalPrincipal, projectId: string | null): Promise<UserTypeModules | null> {
    if (!projectId) return this.ofUserType(user);
    return (await this.inProject(user, projectId))?.permissions.modules ?? null;
  }

  /** The project a document is for and its audience, from the document's own stream (null: no such document). */
  async documentOf(organizationId: string, kind: DocumentKind, documentId: string): Promise<{ projectId: string | null; audience: DocumentAudience } | null> {
    const { state } = await this.executor.load(documentStream(kind, documentId), documentAudience, organizationId);
    return state.exists ? { projectId: state.projectId, audience: state.audience! } : null;
  }

  /** Whether the document is one of the user's companies', within the organization's visibility setting. */
  async maySee(user: PortalPrincipal, audience: DocumentAudience): Promise<boolean> {
    const { settings } = await this.organizations.get(user.organizationId);
    return portalUserMaySee(audience, user, settings.portalDocumentVisibility);
  }

  /**
   * The projects the user is in now: the membership read model says where to look, each
   * project's stream decides (a removal counts at once, even before the read model has it).
   */
  async projectsOf(user: PortalPrincipal): Promise<PortalUserInProject[]> {
    const rows = await this.readStore.find(PROJECT_MEMBERS_COLLECTION, {
      where: { organizationId: user.organizationId, contactId: user.contactId },
      limit: MAX_PROJECTS_PER_USER,
    });
    const found = await Promise.all(rows.map((row) => this.inProject(user, row.projectId)));
    return found.filter((p): p is PortalUserInProject => p !== null);
  }

  /** Whether a list of the module is open to the user: its user type allows the action, or one of its projects does. */
  async mayUseModule(user: PortalPrincipal, module: PortalModuleName, action: PortalActionName): Promise<boolean> {
    if ((await this.ofUserType(user))[module][action]) return true;
    return (await this.projectsOf(user)).some((p) => p.permissions.modules[module][action]);
  }

  /**
   * For the rows of a list: whether the user may do `action` on a document of `module` with
   * this project (or none). Projects are read once per judge (one request).
   */
  judge(user: PortalPrincipal): (projectId: string | null, module: PortalModuleName, action: PortalActionName) => Promise<boolean> {
    const seen = new Map<string, Promise<UserTypeModules | null>>();
    return async (projectId, module, action) => {
      const key = projectId ?? '';
      let modules = seen.get(key);
      if (!modules) seen.set(key, (modules = this.forDocument(user, projectId)));
      return (await modules)?.[module][action] === true;
    };
  }
}
