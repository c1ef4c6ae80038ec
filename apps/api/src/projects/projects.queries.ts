import { Inject, Injectable } from '@nestjs/common';
import {
  clientUserRate,
  clientUserRateStream,
  contact,
  contactStream,
  DomainError,
  effectiveHourlyRate,
  projectPermissionsOf,
  formatHourlyRate,
  HourlyRate,
  portalAccess,
  portalAccessId,
  portalAccessStream,
  project,
  ProjectClientUser,
  projectNotFound,
  ProjectState,
  projectStream,
} from '@app/domain';
import { PROJECT_CLIENTS_COLLECTION, PROJECT_MEMBERS_COLLECTION, PROJECT_PERMISSIONS_COLLECTION, ProjectRow, PROJECTS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { findPage, findSelectedPage, Page, PageQuery } from '../http/pagination';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalPermissions } from '../auth/portal-permissions';
import { PortalPrincipal } from '../auth/principal';
import { Portals } from '../portal-configuration/portals.service';
import {
  ClientUserView,
  ContactProjectPage,
  ContactProjectView,
  EffectivePermissionsView,
  PortalProjectPage,
  ProjectSummaryView,
  ProjectView,
} from './projects.dto';

/**
 * Projects as staff and portal users read them. One project, its client users and their
 * effective permissions come from the streams (the project's, the user's portal-level rate,
 * its portal access and portal), so they always show what decides now; lists come from the
 * membership read models (project_memberships_v1, project_permissions_v1).
 */
@Injectable()
export class ProjectsQueries {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly permissions: PortalPermissions,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  /** The project as its stream tells it; another organization's (or none): 404. */
  async state(organizationId: string, projectId: string): Promise<ProjectState> {
    const { state } = await this.executor.load(projectStream(projectId), project, organizationId);
    if (!state.exists) throw projectNotFound();
    return state;
  }

  async project(organizationId: string, projectId: string): Promise<ProjectView> {
    return projectView(await this.state(organizationId, projectId));
  }

  /** One client user: its project rate, and the rate that applies (the project's, else its portal-level one). */
  async clientUser(organizationId: string, projectId: string, contactId: string, state?: ProjectState): Promise<ClientUserView> {
    const current = state ?? (await this.state(organizationId, projectId));
    const user = current.clientUsers.find((u) => u.contactId === contactId);
    if (!user) throw new DomainError('not-found', 'client-user-not-found', 'This contact is not a client user of the project.');
    const { hourlyRate, source } = effectiveHourlyRate(current, user, await this.portalRate(organizationId, contactId));
    return { projectId, ...clientUserView(user), effectiveHourlyRate: formatHourlyRate(hourlyRate), rateSource: source };
  }

  /** The contact's portal-level rate. */
  async portalRate(organizationId: string, contactId: string): Promise<HourlyRate | null> {
    return (await this.executor.load(clientUserRateStream(contactId), clientUserRate, organizationId)).state.hourlyRate;
  }

  /**
   * A client user's effective permissions in the project and where each comes from: this
   * project's customization (and whom it was cloned from), else the user type of its access
   * to the portal (the organization's first when omitted; no access or no user type:
   * view-only).
   */
  async effectivePermissions(organizationId: string, projectId: string, contactId: string, portalId?: string, state?: ProjectState): Promise<EffectivePermissionsView> {
    const current = state ?? (await this.state(organizationId, projectId));
    const user = current.clientUsers.find((u) => u.contactId === contactId);
    if (!user) throw new DomainError('not-found', 'client-user-not-found', 'This contact is not a client user of the project.');
    const portal = await this.portals.resolve(organizationId, portalId);
    const access = (await this.executor.load(portalAccessStream(portalAccessId(portal.id, contactId)), portalAccess, organizationId)).state;
    const userTypeId = access.status && access.status !== 'Revoked' ? access.userTypeId : null;
    const modules = await this.portals.permissionsOf(organizationId, portal.id, userTypeId);
    const effective = projectPermissionsOf(user, { userTypeId, modules });
    return { projectId, contactId, portalId: portal.id, modules: effective.modules, source: effective.source };
  }

  /** The organization's projects (current, or archived), or those a company is in; ordered by id. */
  async list(organizationId: string, query: PageQuery & { archived?: 'true' | 'false'; clientId?: string }): Promise<Page<ProjectSummaryView>> {
    const archived = query.archived === 'true';
    if (!query.clientId) return findPage(this.readStore, PROJECTS_COLLECTION, { organizationId, archived }, query, projectSummary);
    return findSelectedPage(this.readStore, PROJECT_CLIENTS_COLLECTION, { organizationId, clientId: query.clientId.toLowerCase() }, query, async (row) => {
      const doc = await this.readStore.get(PROJECTS_COLLECTION, row.projectId);
      return doc && doc.organizationId === organizationId && doc.archived === archived ? projectSummary(doc) : undefined;
    });
  }

  /** The projects a contact is a client user of, with its rate and where its permissions come from. */
  async contactProjects(organizationId: string, contactId: string, query: PageQuery): Promise<ContactProjectPage> {
    const { state: person } = await this.executor.load(contactStream(contactId), contact, organizationId);
    if (!person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
    const page = await findSelectedPage(this.readStore, PROJECT_MEMBERS_COLLECTION, { organizationId, contactId }, query, async (row): Promise<ContactProjectView | undefined> => {
      const [doc, permissions] = await Promise.all([
        this.readStore.get(PROJECTS_COLLECTION, row.projectId),
        this.readStore.get(PROJECT_PERMISSIONS_COLLECTION, row.id),
      ]);
      if (!doc || doc.organizationId !== organizationId) return undefined;
      return {
        projectId: doc.id,
        name: doc.name,
        archived: doc.archived === true,
        clientId: row.clientId,
        hourlyRate: formatHourlyRate(row.hourlyRate ?? null),
        permissions: permissions?.source === 'project' ? 'project' : 'user-type',
        clonedFrom: permissions?.clonedFrom ?? null,
      };
    });
    return { hourlyRate: formatHourlyRate(await this.portalRate(organizationId, contactId)), ...page };
  }

  /** The projects the portal user is in now and may view, with what it may do in each and the rate that applies to it. */
  async portalProjects(user: PortalPrincipal): Promise<PortalProjectPage> {
    const [projects, portalRate] = await Promise.all([this.permissions.projectsOf(user), this.portalRate(user.organizationId, user.contactId)]);
    const items = projects
      .filter((p) => p.permissions.modules.projects.view)
      .sort((a, b) => a.project.name.localeCompare(b.project.name) || a.projectId.localeCompare(b.projectId))
      .map((p) => ({
        id: p.projectId,
        name: p.project.name,
        billingMethod: p.project.billingMethod,
        archived: p.project.archived,
        clientId: p.member.clientId,
        primaryClientId: p.project.primaryClientId,
        hourlyRate: formatHourlyRate(effectiveHourlyRate(p.project, p.member, portalRate).hourlyRate),
        modules: p.permissions.modules,
        source: p.permissions.source,
      }));
    return { items, nextCursor: null };
  }
}

export function projectView(state: ProjectState): ProjectView {
  return {
    id: state.projectId!,
    name: state.name,
    billingMethod: state.billingMethod,
    archived: state.archived,
    clients: state.clients.map((c) => ({ clientId: c.clientId, primary: c.primary })),
    primaryClientId: state.primaryClientId,
    clientUsers: state.clientUsers.map(clientUserView),
  };
}

function clientUserView(user: ProjectClientUser) {
  return { contactId: user.contactId, clientId: user.clientId, hourlyRate: formatHourlyRate(user.hourlyRate), customized: user.permissions !== null };
}

function projectSummary(doc: ProjectRow): ProjectSummaryView {
  return {
    id: doc.id,
    name: doc.name,
    billingMethod: doc.billingMethod,
    archived: doc.archived === true,
    primaryClientId: doc.primaryClientId ?? null,
    clientCount: doc.clientCount ?? 0,
    clientUserCount: doc.clientUserCount ?? 0,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
