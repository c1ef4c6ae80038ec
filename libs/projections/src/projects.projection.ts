import { PROJECT_EVENT_TYPES, type ProjectEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';
import { searchKey } from './search-text';

export const PROJECTS_COLLECTION = 'projects_v1';
/** One document per company in a project: `<projectId>:<clientId>`. */
export const PROJECT_CLIENTS_COLLECTION = 'project_clients_v1';
/** One document per client user of a project: `<projectId>:<contactId>`. */
export const PROJECT_MEMBERS_COLLECTION = 'project_members_v1';
/** One document per client user of a project: where its permissions there come from. */
export const PROJECT_PERMISSIONS_COLLECTION = 'project_permissions_v1';

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
export const projectMembershipsProjection: Projection = {
  name: 'project_memberships_v1',
  eventTypes: [...PROJECT_EVENT_TYPES.filter((t) => t !== 'ProjectPermissionsCustomized' && t !== 'ProjectPermissionsReset')],
  collections: [
    { name: PROJECTS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'archived'], ['organizationId', 'nameKey']] },
    { name: PROJECT_CLIENTS_COLLECTION, indexes: [['projectId'], ['organizationId', 'clientId']] },
    { name: PROJECT_MEMBERS_COLLECTION, indexes: [['projectId'], ['organizationId', 'contactId']] },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const organizationId = event.metadata.organizationId;
    const at = event.metadata.occurredAt;
    const position = event.position;
    const projectId = data.projectId as string;
    const upsert = (collection: string, id: string, set: Record<string, unknown>, inc?: Record<string, number>, setOnInsert?: Record<string, unknown>): ProjectionWrite => ({
      op: 'upsert',
      collection,
      id,
      position,
      set,
      ...(inc ? { inc } : {}),
      ...(setOnInsert ? { setOnInsert } : {}),
    });
    const touchProject = (set: Record<string, unknown> = {}, inc?: Record<string, number>) => upsert(PROJECTS_COLLECTION, projectId, { ...set, updatedAt: at }, inc);
    const company = (clientId: string, primary: boolean) =>
      upsert(PROJECT_CLIENTS_COLLECTION, projectMemberId(projectId, clientId), { organizationId, projectId, clientId, primary }, undefined, { since: at });

    switch (event.type) {
      case 'ProjectCreated':
        return [
          upsert(
            PROJECTS_COLLECTION,
            projectId,
            { organizationId, name: data.name, nameKey: projectNameKey(data.name), billingMethod: data.billingMethod, archived: false, primaryClientId: null, updatedAt: at },
            undefined,
            { createdAt: at, clientCount: 0, clientUserCount: 0 },
          ),
        ];
      case 'ProjectUpdated': {
        const changes = data.changes as { name?: string; billingMethod?: string };
        const set: Record<string, unknown> = {};
        if (changes.name !== undefined) Object.assign(set, { name: changes.name, nameKey: projectNameKey(changes.name) });
        if (changes.billingMethod !== undefined) set.billingMethod = changes.billingMethod;
        return [
          touchProject(set),
          ...(data.ratesCleared as string[]).map((contactId) => upsert(PROJECT_MEMBERS_COLLECTION, projectMemberId(projectId, contactId), { hourlyRate: null, updatedAt: at })),
        ];
      }
      case 'ProjectArchived':
        return [touchProject({ archived: true, archivedAt: at })];
      case 'ClientCompanyAddedToProject': {
        const writes = [company(data.clientId, data.primary === true)];
        if (data.previousPrimaryClientId) writes.push(company(data.previousPrimaryClientId, false));
        writes.push(touchProject(data.primary ? { primaryClientId: data.clientId } : {}, { clientCount: 1 }));
        return writes;
      }
      case 'ProjectPrimaryClientChanged':
        return [
          company(data.clientId, true),
          ...(data.previousClientId ? [company(data.previousClientId, false)] : []),
          touchProject({ primaryClientId: data.clientId }),
        ];
      case 'ClientCompanyRemovedFromProject':
        return [
          { op: 'delete', collection: PROJECT_CLIENTS_COLLECTION, id: projectMemberId(projectId, data.clientId), position },
          touchProject(data.wasPrimary ? { primaryClientId: null } : {}, { clientCount: -1 }),
        ];
      case 'ClientUserAddedToProject':
        return [
          upsert(
            PROJECT_MEMBERS_COLLECTION,
            projectMemberId(projectId, data.contactId),
            { organizationId, projectId, contactId: data.contactId, clientId: data.clientId, hourlyRate: data.hourlyRate ?? null, updatedAt: at },
            undefined,
            { since: at },
          ),
          touchProject({}, { clientUserCount: 1 }),
        ];
      case 'ClientUserRateChanged':
        return [upsert(PROJECT_MEMBERS_COLLECTION, projectMemberId(projectId, data.contactId), { hourlyRate: data.hourlyRate ?? null, updatedAt: at })];
      case 'ClientUserRemovedFromProject':
        return [
          { op: 'delete', collection: PROJECT_MEMBERS_COLLECTION, id: projectMemberId(projectId, data.contactId), position },
          touchProject({}, { clientUserCount: -1 }),
        ];
      default:
        return [];
    }
  },
};

/**
 * Effective permissions, as far as the project decides them: for each client user of a
 * project, whether its permissions there are its user type's (`source: 'user-type'`, the
 * modules then come from its user type) or this project's customization (`source: 'project'`,
 * with the modules and whom they were cloned from). Position-guarded and rebuildable from
 * position 0 to the same rows. Authorization never reads it: the project's stream decides.
 */
export const projectPermissionsProjection: Projection = {
  name: 'project_permissions_v1',
  eventTypes: ['ClientUserAddedToProject', 'ClientUserRemovedFromProject', 'ProjectPermissionsCustomized', 'ProjectPermissionsReset'] satisfies ProjectEvent['type'][],
  collections: [{ name: PROJECT_PERMISSIONS_COLLECTION, indexes: [['projectId'], ['organizationId', 'contactId']] }],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const organizationId = event.metadata.organizationId;
    const at = event.metadata.occurredAt;
    const id = projectMemberId(data.projectId, data.contactId);
    const row = (set: Record<string, unknown>): ProjectionWrite => ({
      op: 'upsert',
      collection: PROJECT_PERMISSIONS_COLLECTION,
      id,
      position: event.position,
      set: { organizationId, projectId: data.projectId, contactId: data.contactId, ...set, updatedAt: at },
    });
    switch (event.type) {
      case 'ClientUserAddedToProject':
      case 'ProjectPermissionsReset':
        return [row({ source: 'user-type', modules: null, clonedFrom: null })];
      case 'ProjectPermissionsCustomized':
        return [row({ source: 'project', modules: data.modules, clonedFrom: data.clonedFrom ?? null })];
      case 'ClientUserRemovedFromProject':
        return [{ op: 'delete', collection: PROJECT_PERMISSIONS_COLLECTION, id, position: event.position }];
      default:
        return [];
    }
  },
};
