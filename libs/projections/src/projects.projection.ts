import type { BillingMethod, HourlyRate, UserTypeModules } from '@app/domain';
import { collection, ProjectionWrite } from './read-store';
import { projectionOf, remove, SomeRowFields, unhandled, upsert } from './projection';
import { searchKey } from './search-text';

/** A project as staff list it (docs/read-models.md, `projects_v1`). */
export interface ProjectRow {
  id: string;
  organizationId: string;
  name: string;
  /** The whole name, normalized: what a project is found by name with. */
  nameKey: string;
  billingMethod: BillingMethod;
  archived: boolean;
  /** Absent before it was archived. */
  archivedAt?: string;
  primaryClientId: string | null;
  clientCount: number;
  clientUserCount: number;
  createdAt: string;
  updatedAt: string;
}

/** A company in a project (`project_clients_v1`), keyed `<projectId>:<clientId>`. */
export interface ProjectClientRow {
  id: string;
  organizationId: string;
  projectId: string;
  clientId: string;
  primary: boolean;
  since: string;
}

/** A client user of a project (`project_members_v1`), keyed `<projectId>:<contactId>`. */
export interface ProjectMemberRow {
  id: string;
  organizationId: string;
  projectId: string;
  contactId: string;
  /** The company through which the contact is in the project. */
  clientId: string;
  /** The project's own rate for this user; null: its portal-level rate applies. */
  hourlyRate: HourlyRate | null;
  since: string;
  updatedAt: string;
}

/** Where a client user's permissions in a project come from (`project_permissions_v1`). */
export interface ProjectPermissionsRow {
  id: string;
  organizationId: string;
  projectId: string;
  contactId: string;
  source: 'user-type' | 'project';
  /** `project`: the modules customized for it; null for `user-type`. */
  modules: UserTypeModules | null;
  clonedFrom: string | null;
  updatedAt: string;
}

export const PROJECTS_COLLECTION = collection<ProjectRow>('projects_v1');
/** One document per company in a project: `<projectId>:<clientId>`. */
export const PROJECT_CLIENTS_COLLECTION = collection<ProjectClientRow>('project_clients_v1');
/** One document per client user of a project: `<projectId>:<contactId>`. */
export const PROJECT_MEMBERS_COLLECTION = collection<ProjectMemberRow>('project_members_v1');
/** One document per client user of a project: where its permissions there come from. */
export const PROJECT_PERMISSIONS_COLLECTION = collection<ProjectPermissionsRow>('project_permissions_v1');

export const projectMemberId = (projectId: string, id: string) => `${projectId}:${id}`;

/** How a project's name is matched (imports, deals): case, accents and width ignored. */
export function projectNameKey(name: string): string {
  return searchKey(name) || name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Project membership: the projects of each organization (name, billing method, primary client,
 * how many companies and client users), the companies of each project, and its client users
 * with their project rate. Used for lists and to find the projects a contact or a company is
 * in; whether a portal user is in a project is always decided from the project's own stream.
 * Every write is position-guarded, so a replayed batch changes nothing, and a rebuild from
 * position 0 writes the same rows.
 */
export const projectMembershipsProjection = projectionOf({
  name: 'project_memberships_v1',
  eventTypes: [
    'ProjectCreated',
    'ProjectUpdated',
    'ProjectArchived',
    'ClientCompanyAddedToProject',
    'ProjectPrimaryClientChanged',
    'ClientCompanyRemovedFromProject',
    'ClientUserAddedToProject',
    'ClientUserRateChanged',
    'ClientUserRemovedFromProject',
  ],
  collections: [
    { name: PROJECTS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'archived'], ['organizationId', 'nameKey']] },
    { name: PROJECT_CLIENTS_COLLECTION, indexes: [['projectId'], ['organizationId', 'clientId']] },
    { name: PROJECT_MEMBERS_COLLECTION, indexes: [['projectId'], ['organizationId', 'contactId']] },
  ],

  project(event) {
    const organizationId = event.metadata.organizationId;
    const at = event.metadata.occurredAt;
    const position = event.position;
    const projectId = event.data.projectId;
    const touchProject = (set: SomeRowFields<ProjectRow> = {}, inc?: { clientCount?: number; clientUserCount?: number }) =>
      upsert(PROJECTS_COLLECTION, projectId, position, { set: { ...set, updatedAt: at }, inc });
    const company = (clientId: string, primary: boolean) =>
      upsert(PROJECT_CLIENTS_COLLECTION, projectMemberId(projectId, clientId), position, { set: { organizationId, projectId, clientId, primary }, setOnInsert: { since: at } });
    const member = (contactId: string, set: SomeRowFields<ProjectMemberRow>, setOnInsert?: SomeRowFields<ProjectMemberRow>) =>
      upsert(PROJECT_MEMBERS_COLLECTION, projectMemberId(projectId, contactId), position, { set, setOnInsert });

    switch (event.type) {
      case 'ProjectCreated': {
        const data = event.data;
        return [
          upsert(PROJECTS_COLLECTION, projectId, position, {
            set: { organizationId, name: data.name, nameKey: projectNameKey(data.name), billingMethod: data.billingMethod, archived: false, primaryClientId: null, updatedAt: at },
            setOnInsert: { createdAt: at, clientCount: 0, clientUserCount: 0 },
          }),
        ];
      }
      case 'ProjectUpdated': {
        const { changes, ratesCleared } = event.data;
        const set: SomeRowFields<ProjectRow> = {};
        if (changes.name !== undefined) {
          set.name = changes.name;
          set.nameKey = projectNameKey(changes.name);
        }
        if (changes.billingMethod !== undefined) set.billingMethod = changes.billingMethod;
        return [touchProject(set), ...ratesCleared.map((contactId) => member(contactId, { hourlyRate: null, updatedAt: at }))];
      }
      case 'ProjectArchived':
        return [touchProject({ archived: true, archivedAt: at })];
      case 'ClientCompanyAddedToProject': {
        const data = event.data;
        const writes: ProjectionWrite[] = [company(data.clientId, data.primary === true)];
        if (data.previousPrimaryClientId) writes.push(company(data.previousPrimaryClientId, false));
        writes.push(touchProject(data.primary ? { primaryClientId: data.clientId } : {}, { clientCount: 1 }));
        return writes;
      }
      case 'ProjectPrimaryClientChanged': {
        const data = event.data;
        return [company(data.clientId, true), ...(data.previousClientId ? [company(data.previousClientId, false)] : []), touchProject({ primaryClientId: data.clientId })];
      }
      case 'ClientCompanyRemovedFromProject':
        return [
          remove(PROJECT_CLIENTS_COLLECTION, projectMemberId(projectId, event.data.clientId), position),
          touchProject(event.data.wasPrimary ? { primaryClientId: null } : {}, { clientCount: -1 }),
        ];
      case 'ClientUserAddedToProject': {
        const data = event.data;
        return [
          member(data.contactId, { organizationId, projectId, contactId: data.contactId, clientId: data.clientId, hourlyRate: data.hourlyRate ?? null, updatedAt: at }, { since: at }),
          touchProject({}, { clientUserCount: 1 }),
        ];
      }
      case 'ClientUserRateChanged':
        return [member(event.data.contactId, { hourlyRate: event.data.hourlyRate ?? null, updatedAt: at })];
      case 'ClientUserRemovedFromProject':
        return [remove(PROJECT_MEMBERS_COLLECTION, projectMemberId(projectId, event.data.contactId), position), touchProject({}, { clientUserCount: -1 })];
      default:
        return unhandled(event);
    }
  },
});

/**
 * Effective permissions, as far as the project decides them: for each client user of a
 * project, whether its permissions there are its user type's (`source: 'user-type'`, the
 * modules then come from its user type) or this project's customization (`source: 'project'`,
 * with the modules and whom they were cloned from). Position-guarded and rebuildable from
 * position 0 to the same rows. Authorization never reads it: the project's stream decides.
 */
export const projectPermissionsProjection = projectionOf({
  name: 'project_permissions_v1',
  eventTypes: ['ClientUserAddedToProject', 'ClientUserRemovedFromProject', 'ProjectPermissionsCustomized', 'ProjectPermissionsReset'],
  collections: [{ name: PROJECT_PERMISSIONS_COLLECTION, indexes: [['projectId'], ['organizationId', 'contactId']] }],

  project(event) {
    const { projectId, contactId } = event.data;
    const id = projectMemberId(projectId, contactId);
    const row = (set: Pick<ProjectPermissionsRow, 'source' | 'modules' | 'clonedFrom'>) =>
      upsert(PROJECT_PERMISSIONS_COLLECTION, id, event.position, {
        set: { organizationId: event.metadata.organizationId, projectId, contactId, ...set, updatedAt: event.metadata.occurredAt },
      });
    switch (event.type) {
      case 'ClientUserAddedToProject':
      case 'ProjectPermissionsReset':
        return [row({ source: 'user-type', modules: null, clonedFrom: null })];
      case 'ProjectPermissionsCustomized':
        return [row({ source: 'project', modules: event.data.modules, clonedFrom: event.data.clonedFrom ?? null })];
      case 'ClientUserRemovedFromProject':
        return [remove(PROJECT_PERMISSIONS_COLLECTION, id, event.position)];
      default:
        return unhandled(event);
    }
  },
});
