import { Decider, OfType } from './decider';
import { DomainError } from './errors';
import { formatAmount, Minor, parseAmount, requireCurrency } from './money';
import { normalizeModules, UserTypeModules } from './portal';

/**
 * A project the organization runs for its client companies (stream `project-<id>`): the
 * companies in it, one of them the primary client (the one its invoices are addressed to),
 * and the client users (contacts of those companies) who follow it in the portal, each with
 * an optional hourly rate and, optionally, permissions of its own in this project.
 *
 * - The first company added becomes the primary client unless the command says otherwise;
 *   SetPrimaryClient changes it; removing the primary leaves the project without one until
 *   another is set (an invoice for the project cannot be shared meanwhile).
 * - Removing a company removes its client users (an event each): their permissions in the
 *   project end at once.
 * - A client user's permissions come from its user type (portal level) unless staff customize
 *   them for this project; a customization can be cloned to other users of the project, and
 *   reset (back to the user type's).
 * - A project rate is accepted only when the project bills by staff hours; where it has none,
 *   the user's portal-level rate (`clientUserRate`) applies.
 */
export const projectStream = (projectId: string) => `project-${projectId}`;

export const BILLING_METHODS = ['staff-hours', 'fixed', 'none'] as const;
export type BillingMethod = (typeof BILLING_METHODS)[number];

export const PROJECT_NAME_MAX_LENGTH = 200;
/** How many contacts one clone may name. */
export const MAX_CLONE_TARGETS = 200;

/** An hourly rate: integer minor units of its currency. */
export interface HourlyRate {
  amount: Minor;
  currency: string;
}

/** An hourly rate as the HTTP edge gives it: a decimal string and an ISO 4217 code. */
export interface HourlyRateInput {
  amount: string;
  currency: string;
}

export function parseHourlyRate(input: HourlyRateInput, field = 'hourlyRate'): HourlyRate {
  if (!input || typeof input !== 'object') {
    throw new DomainError('unprocessable', 'invalid-amount', `${field} is {amount, currency}.`, { errors: [{ field, message: '{amount, currency}' }] });
  }
  const currency = requireCurrency(input.currency, `${field}.currency`);
  return { amount: parseAmount(input.amount, currency, `${field}.amount`), currency };
}

export function formatHourlyRate(rate: HourlyRate | null): HourlyRateInput | null {
  return rate ? { amount: formatAmount(rate.amount, rate.currency), currency: rate.currency } : null;
}

const sameRate = (a: HourlyRate | null, b: HourlyRate | null) => (a === null ? b === null : b !== null && a.amount === b.amount && a.currency === b.currency);

/** A client user's permissions of its own in a project; `clonedFrom`: the user they were copied from. */
export interface ProjectPermissions {
  modules: UserTypeModules;
  clonedFrom: string | null;
}

export interface ProjectClient {
  clientId: string;
  primary: boolean;
}

export interface ProjectClientUser {
  contactId: string;
  /** The company through which the contact is in the project (one of the project's). */
  clientId: string;
  /** The project's own rate for this user; null: its portal-level rate applies. */
  hourlyRate: HourlyRate | null;
  /** null: its user type's permissions apply. */
  permissions: ProjectPermissions | null;
}

/** Why a client user left a project. */
export type ClientUserRemovalReason = 'removed' | 'client-removed';

export type ProjectEvent =
  | { type: 'ProjectCreated'; data: { projectId: string; name: string; billingMethod: BillingMethod } }
  | {
      type: 'ProjectUpdated';
      /** `ratesCleared`: users whose project rate ended because the project stopped billing by staff hours. */
      data: { projectId: string; changes: { name?: string; billingMethod?: BillingMethod }; ratesCleared: string[] };
    }
  | { type: 'ProjectArchived'; data: { projectId: string } }
  | {
      type: 'ClientCompanyAddedToProject';
      /** `previousPrimaryClientId`: the primary it replaced, when it became the primary. */
      data: { projectId: string; clientId: string; primary: boolean; previousPrimaryClientId: string | null };
    }
  | { type: 'ProjectPrimaryClientChanged'; data: { projectId: string; clientId: string; previousClientId: string | null } }
  /** Its client users were removed by the events just before this one. */
  | { type: 'ClientCompanyRemovedFromProject'; data: { projectId: string; clientId: string; wasPrimary: boolean } }
  | { type: 'ClientUserAddedToProject'; data: { projectId: string; contactId: string; clientId: string; hourlyRate: HourlyRate | null } }
  | { type: 'ClientUserRateChanged'; data: { projectId: string; contactId: string; clientId: string; hourlyRate: HourlyRate | null; previousHourlyRate: HourlyRate | null } }
  | {
      type: 'ClientUserRemovedFromProject';
      data: { projectId: string; contactId: string; clientId: string; reason: ClientUserRemovalReason; notify: boolean };
    }
  | { type: 'ProjectPermissionsCustomized'; data: { projectId: string; contactId: string; modules: UserTypeModules; clonedFrom: string | null } }
  | { type: 'ProjectPermissionsReset'; data: { projectId: string; contactId: string } };

export const PROJECT_EVENT_TYPES = [
  'ProjectCreated',
  'ProjectUpdated',
  'ProjectArchived',
  'ClientCompanyAddedToProject',
  'ProjectPrimaryClientChanged',
  'ClientCompanyRemovedFromProject',
  'ClientUserAddedToProject',
  'ClientUserRateChanged',
  'ClientUserRemovedFromProject',
  'ProjectPermissionsCustomized',
  'ProjectPermissionsReset',
] as const satisfies readonly ProjectEvent['type'][];

type ModulesInput = Partial<Record<string, Partial<Record<string, boolean>>>>;

export type ProjectCommand =
  | { type: 'CreateProject'; projectId: string; name: string; billingMethod: string }
  | { type: 'UpdateProject'; changes: { name?: string; billingMethod?: string } }
  | { type: 'ArchiveProject' }
  /** The caller has checked that the company exists in the organization and is not archived. */
  | { type: 'AddClientCompanyToProject'; clientId: string; primary?: boolean }
  | { type: 'SetPrimaryClient'; clientId: string }
  | { type: 'RemoveClientCompanyFromProject'; clientId: string }
  | {
      type: 'AddClientUserToProject';
      contactId: string;
      /** The companies the contact belongs to now, primary first (its own stream's answer). */
      contactClientIds: readonly string[];
      /** Through which company, when the contact is of several in the project; else the first of them. */
      clientId?: string | null;
      hourlyRate?: HourlyRateInput | null;
    }
  | { type: 'ChangeClientUserRate'; contactId: string; hourlyRate: HourlyRateInput | null }
  | { type: 'RemoveClientUserFromProject'; contactId: string; notify?: boolean }
  | { type: 'CustomizeProjectPermissions'; contactId: string; modules: ModulesInput }
  | { type: 'CloneProjectPermissions'; fromContactId: string; toContactIds: readonly string[] }
  | { type: 'ResetProjectPermissions'; contactId: string };

export interface ProjectState {
  exists: boolean;
  projectId: string | null;
  name: string;
  billingMethod: BillingMethod;
  archived: boolean;
  /** In the order they were added. */
  clients: ProjectClient[];
  primaryClientId: string | null;
  clientUsers: ProjectClientUser[];
}

export function projectNotFound(): DomainError {
  return new DomainError('not-found', 'project-not-found', 'No such project.');
}

function clientUserNotFound(contactId: string): DomainError {
  return new DomainError('not-found', 'client-user-not-found', 'This contact is not a client user of the project.', { contactId });
}

function requireBillingMethod(value: string): BillingMethod {
  if (!(BILLING_METHODS as readonly string[]).includes(value)) {
    throw new DomainError('unprocessable', 'invalid-billing-method', `billingMethod is one of ${BILLING_METHODS.join(', ')}.`, {
      errors: [{ field: 'billingMethod', message: `one of ${BILLING_METHODS.join(', ')}` }],
    });
  }
  return value as BillingMethod;
}

function requireName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim().replace(/\s+/g, ' ') : '';
  if (!trimmed) throw new DomainError('unprocessable', 'name-required', 'A project needs a name.', { errors: [{ field: 'name', message: 'required' }] });
  if (trimmed.length > PROJECT_NAME_MAX_LENGTH) {
    throw new DomainError('unprocessable', 'name-too-long', `A project name has at most ${PROJECT_NAME_MAX_LENGTH} characters.`, {
      errors: [{ field: 'name', message: `at most ${PROJECT_NAME_MAX_LENGTH} characters` }],
    });
  }
  return trimmed;
}

/** A rate is accepted only where the project bills by staff hours. */
function rateFor(state: ProjectState, input: HourlyRateInput | null | undefined): HourlyRate | null {
  if (input === undefined || input === null) return null;
  if (state.billingMethod !== 'staff-hours') {
    throw new DomainError('unprocessable', 'rate-not-applicable', `This project bills by "${state.billingMethod}": hourly rates apply only to projects billed by staff hours.`, {
      billingMethod: state.billingMethod,
      errors: [{ field: 'hourlyRate', message: 'only for projects billed by staff hours' }],
    });
  }
  return parseHourlyRate(input);
}

function clientUser(state: ProjectState, contactId: string): ProjectClientUser {
  const found = state.clientUsers.find((u) => u.contactId === contactId);
  if (!found) throw clientUserNotFound(contactId);
  return found;
}

export const project: Decider<ProjectState, ProjectCommand, ProjectEvent> = {
  initialState: () => ({
    exists: false,
    projectId: null,
    name: '',
    billingMethod: 'none',
    archived: false,
    clients: [],
    primaryClientId: null,
    clientUsers: [],
  }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateProject': return createProject(command, state);
      case 'UpdateProject': return updateProject(command, state);
      case 'ArchiveProject': return archiveProject(command, state);
      case 'AddClientCompanyToProject': return addClientCompanyToProject(command, state);
      case 'SetPrimaryClient': return setPrimaryClient(command, state);
      case 'RemoveClientCompanyFromProject': return removeClientCompanyFromProject(command, state);
      case 'AddClientUserToProject': return addClientUserToProject(command, state);
      case 'ChangeClientUserRate': return changeClientUserRate(command, state);
      case 'RemoveClientUserFromProject': return removeClientUserFromProject(command, state);
      case 'CustomizeProjectPermissions': return customizeProjectPermissions(command, state);
      case 'CloneProjectPermissions': return cloneProjectPermissions(command, state);
      case 'ResetProjectPermissions': return resetProjectPermissions(command, state);
    }
  },

  evolve(state, event) {
    const withUser = (contactId: string, change: (u: ProjectClientUser) => ProjectClientUser) =>
      state.clientUsers.map((u) => (u.contactId === contactId ? change(u) : u));
    switch (event.type) {
      case 'ProjectCreated':
        return { ...state, exists: true, projectId: event.data.projectId, name: event.data.name, billingMethod: event.data.billingMethod };
      case 'ProjectUpdated': {
        const cleared = new Set(event.data.ratesCleared);
        return {
          ...state,
          ...event.data.changes,
          clientUsers: cleared.size ? state.clientUsers.map((u) => (cleared.has(u.contactId) ? { ...u, hourlyRate: null } : u)) : state.clientUsers,
        };
      }
      case 'ProjectArchived':
        return { ...state, archived: true };
      case 'ClientCompanyAddedToProject': {
        const { clientId, primary } = event.data;
        const clients = state.clients.map((c) => (primary ? { ...c, primary: false } : c));
        return { ...state, clients: [...clients, { clientId, primary }], primaryClientId: primary ? clientId : state.primaryClientId };
      }
      case 'ProjectPrimaryClientChanged': {
        const { clientId } = event.data;
        return { ...state, clients: state.clients.map((c) => ({ ...c, primary: c.clientId === clientId })), primaryClientId: clientId };
      }
      case 'ClientCompanyRemovedFromProject': {
        const { clientId } = event.data;
        return {
          ...state,
          clients: state.clients.filter((c) => c.clientId !== clientId),
          primaryClientId: state.primaryClientId === clientId ? null : state.primaryClientId,
          clientUsers: state.clientUsers.filter((u) => u.clientId !== clientId),
        };
      }
      case 'ClientUserAddedToProject': {
        const { contactId, clientId, hourlyRate } = event.data;
        return { ...state, clientUsers: [...state.clientUsers, { contactId, clientId, hourlyRate, permissions: null }] };
      }
      case 'ClientUserRateChanged':
        return { ...state, clientUsers: withUser(event.data.contactId, (u) => ({ ...u, hourlyRate: event.data.hourlyRate })) };
      case 'ClientUserRemovedFromProject':
        return { ...state, clientUsers: state.clientUsers.filter((u) => u.contactId !== event.data.contactId) };
      case 'ProjectPermissionsCustomized':
        return {
          ...state,
          clientUsers: withUser(event.data.contactId, (u) => ({ ...u, permissions: { modules: event.data.modules, clonedFrom: event.data.clonedFrom } })),
        };
      case 'ProjectPermissionsReset':
        return { ...state, clientUsers: withUser(event.data.contactId, (u) => ({ ...u, permissions: null })) };
      default:
        return state;
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Guards: what a command handler checks before it writes anything else (an invitation, a
// company, another project), the same rules the decide functions below apply.
// ---------------------------------------------------------------------------------------------

/** A new project's name and billing method as recorded (the name trimmed), or why not. */
export function assertValidProject(values: { name: string; billingMethod: string }): { name: string; billingMethod: BillingMethod } {
  return { name: requireName(values.name), billingMethod: requireBillingMethod(values.billingMethod) };
}

/** A project that exists and is not archived (changes to an archived project are refused). Answers its id. */
export function assertProjectOpen(state: ProjectState): string {
  if (!state.exists) throw projectNotFound();
  if (state.archived) throw new DomainError('conflict', 'project-archived', 'This project is archived.');
  return state.projectId!;
}

/** Where a contact joins the project as a client user: through which of its companies, at which rate; `alreadyIn`: the same addition was made before. */
export interface ClientUserPlacement {
  projectId: string;
  clientId: string;
  hourlyRate: HourlyRate | null;
  alreadyIn: boolean;
}

/**
 * Whether the contact may join the open project as a client user: through one of its
 * companies that is in the project (the one named, else the first), at a rate only where the
 * project bills by staff hours; a contact in it already is refused unless the same addition
 * is asked again.
 */
export function assertMayAddClientUser(state: ProjectState, command: Command<'AddClientUserToProject'>): ClientUserPlacement {
  const projectId = assertProjectOpen(state);
  const inProject = command.contactClientIds.filter((id) => state.clients.some((c) => c.clientId === id));
  let clientId: string;
  if (command.clientId) {
    if (!command.contactClientIds.includes(command.clientId)) {
      throw new DomainError('unprocessable', 'contact-not-of-client', 'The contact does not belong to this client company.', {
        errors: [{ field: 'clientId', message: 'a company of the contact' }],
      });
    }
    if (!inProject.includes(command.clientId)) {
      throw new DomainError('unprocessable', 'client-not-in-project', 'This client company is not in the project: add it first.', {
        errors: [{ field: 'clientId', message: 'a client company of the project' }],
      });
    }
    clientId = command.clientId;
  } else {
    if (inProject.length === 0) {
      throw new DomainError('unprocessable', 'client-not-in-project', "None of the contact's companies is in the project: add its company first.", {
        errors: [{ field: 'contactId', message: 'a contact of a client company of the project' }],
      });
    }
    clientId = inProject[0];
  }
  const hourlyRate = rateFor(state, command.hourlyRate);
  const existing = state.clientUsers.find((u) => u.contactId === command.contactId);
  if (existing) {
    // The same addition again (a retried request) is nothing; a different one is a conflict.
    const sameClient = !command.clientId || existing.clientId === clientId;
    const sameRateAsked = command.hourlyRate === undefined || command.hourlyRate === null || sameRate(existing.hourlyRate, hourlyRate);
    if (!(sameClient && sameRateAsked)) {
      throw new DomainError('conflict', 'client-user-exists', 'This contact is already a client user of the project: change its rate instead.', {
        contactId: command.contactId,
      });
    }
  }
  return { projectId, clientId, hourlyRate, alreadyIn: existing !== undefined };
}

// ---------------------------------------------------------------------------------------------
// One decide function per command, each named after it, with the events it decides.
// ---------------------------------------------------------------------------------------------

type Command<Type extends ProjectCommand['type']> = OfType<ProjectCommand, Type>;

/** CreateProject -> ProjectCreated (the same creation again: nothing) */
function createProject(command: Command<'CreateProject'>, state: ProjectState): ProjectEvent[] {
  const { name, billingMethod } = assertValidProject(command);
  if (state.exists) {
    // The same creation again (a retried request) is nothing; anything else is a conflict.
    if (state.name === name && state.billingMethod === billingMethod) return [];
    throw new DomainError('conflict', 'project-exists', 'This project already exists.');
  }
  return [{ type: 'ProjectCreated', data: { projectId: command.projectId, name, billingMethod } }];
}

/** UpdateProject -> ProjectUpdated (what changed; rates end when it stops billing by staff hours) */
function updateProject(command: Command<'UpdateProject'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const changes: { name?: string; billingMethod?: BillingMethod } = {};
  if (command.changes.name !== undefined) {
    const name = requireName(command.changes.name);
    if (name !== state.name) changes.name = name;
  }
  if (command.changes.billingMethod !== undefined) {
    const billingMethod = requireBillingMethod(command.changes.billingMethod);
    if (billingMethod !== state.billingMethod) changes.billingMethod = billingMethod;
  }
  if (Object.keys(changes).length === 0) return [];
  const ratesCleared =
    changes.billingMethod !== undefined && changes.billingMethod !== 'staff-hours' ? state.clientUsers.filter((u) => u.hourlyRate !== null).map((u) => u.contactId) : [];
  return [{ type: 'ProjectUpdated', data: { projectId, changes, ratesCleared } }];
}

/** ArchiveProject -> ProjectArchived */
function archiveProject(_command: Command<'ArchiveProject'>, state: ProjectState): ProjectEvent[] {
  if (!state.exists) throw projectNotFound();
  if (state.archived) return [];
  return [{ type: 'ProjectArchived', data: { projectId: state.projectId! } }];
}

/** AddClientCompanyToProject -> ClientCompanyAddedToProject, or ProjectPrimaryClientChanged for a company in it already */
function addClientCompanyToProject(command: Command<'AddClientCompanyToProject'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const existing = state.clients.find((c) => c.clientId === command.clientId);
  if (existing) {
    // Already in: asking again changes nothing, unless it asks to make it the primary.
    if (command.primary !== true || existing.primary) return [];
    return [{ type: 'ProjectPrimaryClientChanged', data: { projectId, clientId: command.clientId, previousClientId: state.primaryClientId } }];
  }
  // The first company becomes the primary client, unless the command says otherwise.
  const primary = command.primary ?? state.clients.length === 0;
  return [
    {
      type: 'ClientCompanyAddedToProject',
      data: { projectId, clientId: command.clientId, primary, previousPrimaryClientId: primary ? state.primaryClientId : null },
    },
  ];
}

/** SetPrimaryClient -> ProjectPrimaryClientChanged */
function setPrimaryClient(command: Command<'SetPrimaryClient'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  if (!state.clients.some((c) => c.clientId === command.clientId)) {
    throw new DomainError('unprocessable', 'client-not-in-project', 'This client company is not in the project: add it first.', {
      errors: [{ field: 'clientId', message: 'a client company of the project' }],
    });
  }
  if (state.primaryClientId === command.clientId) return [];
  return [{ type: 'ProjectPrimaryClientChanged', data: { projectId, clientId: command.clientId, previousClientId: state.primaryClientId } }];
}

/** RemoveClientCompanyFromProject -> ClientUserRemovedFromProject for each of its users, then ClientCompanyRemovedFromProject */
function removeClientCompanyFromProject(command: Command<'RemoveClientCompanyFromProject'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const existing = state.clients.find((c) => c.clientId === command.clientId);
  if (!existing) throw new DomainError('not-found', 'project-client-not-found', 'This client company is not in the project.');
  const users = state.clientUsers.filter((u) => u.clientId === command.clientId);
  return [
    ...users.map(
      (u): ProjectEvent => ({
        type: 'ClientUserRemovedFromProject',
        data: { projectId, contactId: u.contactId, clientId: u.clientId, reason: 'client-removed', notify: false },
      }),
    ),
    { type: 'ClientCompanyRemovedFromProject', data: { projectId, clientId: command.clientId, wasPrimary: existing.primary } },
  ];
}

/** AddClientUserToProject -> ClientUserAddedToProject */
function addClientUserToProject(command: Command<'AddClientUserToProject'>, state: ProjectState): ProjectEvent[] {
  const { projectId, clientId, hourlyRate, alreadyIn } = assertMayAddClientUser(state, command);
  if (alreadyIn) return [];
  return [{ type: 'ClientUserAddedToProject', data: { projectId, contactId: command.contactId, clientId, hourlyRate } }];
}

/** ChangeClientUserRate -> ClientUserRateChanged */
function changeClientUserRate(command: Command<'ChangeClientUserRate'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const user = clientUser(state, command.contactId);
  const hourlyRate = rateFor(state, command.hourlyRate);
  if (sameRate(user.hourlyRate, hourlyRate)) return [];
  return [{ type: 'ClientUserRateChanged', data: { projectId, contactId: user.contactId, clientId: user.clientId, hourlyRate, previousHourlyRate: user.hourlyRate } }];
}

/** RemoveClientUserFromProject -> ClientUserRemovedFromProject (also from an archived project) */
function removeClientUserFromProject(command: Command<'RemoveClientUserFromProject'>, state: ProjectState): ProjectEvent[] {
  if (!state.exists) throw projectNotFound();
  const user = clientUser(state, command.contactId);
  return [
    {
      type: 'ClientUserRemovedFromProject',
      data: { projectId: state.projectId!, contactId: user.contactId, clientId: user.clientId, reason: 'removed', notify: command.notify === true },
    },
  ];
}

/** CustomizeProjectPermissions -> ProjectPermissionsCustomized */
function customizeProjectPermissions(command: Command<'CustomizeProjectPermissions'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const user = clientUser(state, command.contactId);
  const modules = normalizeModules(command.modules ?? {});
  if (user.permissions && user.permissions.clonedFrom === null && sameModules(user.permissions.modules, modules)) return [];
  return [{ type: 'ProjectPermissionsCustomized', data: { projectId, contactId: user.contactId, modules, clonedFrom: null } }];
}

/** CloneProjectPermissions -> ProjectPermissionsCustomized for each target that differs */
function cloneProjectPermissions(command: Command<'CloneProjectPermissions'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const source = clientUser(state, command.fromContactId);
  if (!source.permissions) {
    throw new DomainError('conflict', 'permissions-not-customized', "This user has its user type's permissions in the project: there is no customization to clone.", {
      contactId: source.contactId,
    });
  }
  const targets = [...new Set(command.toContactIds)];
  if (targets.length === 0 || targets.length > MAX_CLONE_TARGETS) {
    throw new DomainError('unprocessable', 'invalid-clone-targets', `Name 1 to ${MAX_CLONE_TARGETS} other client users of the project.`, {
      errors: [{ field: 'contactIds', message: `1 to ${MAX_CLONE_TARGETS} contacts` }],
    });
  }
  if (targets.includes(source.contactId)) {
    throw new DomainError('unprocessable', 'invalid-clone-targets', 'A customization is cloned to other users, not to the user it comes from.', {
      errors: [{ field: 'contactIds', message: 'other client users of the project' }],
    });
  }
  const users = targets.map((contactId) => clientUser(state, contactId));
  const modules = source.permissions.modules;
  return users
    .filter((u) => !(u.permissions && u.permissions.clonedFrom === source.contactId && sameModules(u.permissions.modules, modules)))
    .map((u) => ({ type: 'ProjectPermissionsCustomized', data: { projectId, contactId: u.contactId, modules, clonedFrom: source.contactId } }));
}

/** ResetProjectPermissions -> ProjectPermissionsReset */
function resetProjectPermissions(command: Command<'ResetProjectPermissions'>, state: ProjectState): ProjectEvent[] {
  const projectId = assertProjectOpen(state);
  const user = clientUser(state, command.contactId);
  if (!user.permissions) return [];
  return [{ type: 'ProjectPermissionsReset', data: { projectId, contactId: user.contactId } }];
}

function sameModules(a: UserTypeModules, b: UserTypeModules): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---------------------------------------------------------------------------------------------
// Effective permissions: what a client user may do in a project, and why
// ---------------------------------------------------------------------------------------------

export type ProjectPermissionSource = { kind: 'user-type'; userTypeId: string | null } | { kind: 'project'; clonedFrom: string | null };

export interface ProjectEffectivePermissions {
  modules: UserTypeModules;
  source: ProjectPermissionSource;
}

/**
 * A client user's permissions in the project: its customization there, else its user type's
 * (`userType.modules`: the user type's, or view-only without one).
 */
export function projectPermissionsOf(user: ProjectClientUser, userType: { userTypeId: string | null; modules: UserTypeModules }): ProjectEffectivePermissions {
  if (user.permissions) return { modules: user.permissions.modules, source: { kind: 'project', clonedFrom: user.permissions.clonedFrom } };
  return { modules: userType.modules, source: { kind: 'user-type', userTypeId: userType.userTypeId } };
}

/**
 * The portal user's place in the project, decided from the facts as they are now: a client
 * user of the project, through a company that is still in it and that its contact still
 * belongs to (`clientIds`: its current companies). null: not in the project (its documents are
 * then "not found" to it).
 */
export function projectMembership(state: ProjectState, user: { contactId: string; clientIds: readonly string[] }): ProjectClientUser | null {
  if (!state.exists) return null;
  const member = state.clientUsers.find((u) => u.contactId === user.contactId);
  if (!member || !user.clientIds.includes(member.clientId) || !state.clients.some((c) => c.clientId === member.clientId)) return null;
  return member;
}

/** The rate that applies to a client user: the project's own, else its portal-level one; none where the project does not bill by staff hours. */
export function effectiveHourlyRate(
  state: ProjectState,
  user: ProjectClientUser,
  portalRate: HourlyRate | null,
): { hourlyRate: HourlyRate | null; source: 'project' | 'portal' | null } {
  if (state.billingMethod !== 'staff-hours') return { hourlyRate: null, source: null };
  if (user.hourlyRate) return { hourlyRate: user.hourlyRate, source: 'project' };
  if (portalRate) return { hourlyRate: portalRate, source: 'portal' };
  return { hourlyRate: null, source: null };
}

// ---------------------------------------------------------------------------------------------
// A document's project: checked when a document names one
// ---------------------------------------------------------------------------------------------

/** What a document's decider needs to know of the project it names, as the project's stream tells it now. */
export interface DocumentProject {
  projectId: string;
  exists: boolean;
  archived: boolean;
  clientIds: readonly string[];
  primaryClientId: string | null;
}

export function documentProjectOf(projectId: string, state: ProjectState): DocumentProject {
  return { projectId, exists: state.exists, archived: state.archived, clientIds: state.clients.map((c) => c.clientId), primaryClientId: state.primaryClientId };
}

/**
 * A document may name a project only where its company belongs to that project (422
 * otherwise) and the project is not archived (409). `project` is what the caller read of the
 * project named (absent or not existing: unknown). Answers the project id, or null.
 */
export function checkDocumentProject(projectId: string | null | undefined, project: DocumentProject | null | undefined, clientId: string): string | null {
  if (projectId === undefined || projectId === null) return null;
  if (!project || project.projectId !== projectId || !project.exists) {
    throw new DomainError('unprocessable', 'unknown-project', 'No such project.', { errors: [{ field: 'projectId', message: 'a project of the organization' }] });
  }
  if (project.archived) throw new DomainError('conflict', 'project-archived', 'This project is archived: it takes no new documents.');
  if (!project.clientIds.includes(clientId)) {
    throw new DomainError('unprocessable', 'client-not-in-project', "The document's client company is not in this project.", {
      errors: [{ field: 'projectId', message: "a project the document's client company belongs to" }],
    });
  }
  return projectId;
}

/**
 * An invoice for a project goes to the project's primary client: none (the primary was
 * removed and no other set) is 409 `project-has-no-primary-client`; another company is 422.
 */
export function checkInvoiceProject(projectId: string | null | undefined, project: DocumentProject | null | undefined, clientId: string): string | null {
  if (projectId !== undefined && projectId !== null && project && project.projectId === projectId && project.exists && !project.archived && project.primaryClientId === null) {
    throw new DomainError('conflict', 'project-has-no-primary-client', 'This project has no primary client: set one before sharing an invoice for it.', { projectId });
  }
  const checked = checkDocumentProject(projectId, project, clientId);
  if (checked !== null && project!.primaryClientId !== clientId) {
    throw new DomainError('unprocessable', 'not-primary-client', "An invoice for a project is addressed to the project's primary client.", {
      primaryClientId: project!.primaryClientId,
      errors: [{ field: 'clientId', message: "the project's primary client" }],
    });
  }
  return checked;
}

// ---------------------------------------------------------------------------------------------
// clientUserRate: stream `clientUserRate-<contactId>`, a user's portal-level rate
// ---------------------------------------------------------------------------------------------

export const clientUserRateStream = (contactId: string) => `clientUserRate-${contactId}`;

export type ClientUserRateEvent = { type: 'ClientUserPortalRateSet'; data: { contactId: string; hourlyRate: HourlyRate | null; previousHourlyRate: HourlyRate | null } };
/** The caller has checked that the contact exists in the organization. */
export type ClientUserRateCommand = { type: 'SetClientUserPortalRate'; contactId: string; hourlyRate: HourlyRateInput | null };
export interface ClientUserRateState {
  hourlyRate: HourlyRate | null;
}

/** A client user's portal-level hourly rate: used in projects billed by staff hours where the project has none of its own. */
export const clientUserRate: Decider<ClientUserRateState, ClientUserRateCommand, ClientUserRateEvent> = {
  initialState: () => ({ hourlyRate: null }),
  decide(command, state) {
    const hourlyRate = command.hourlyRate === null ? null : parseHourlyRate(command.hourlyRate);
    if (sameRate(state.hourlyRate, hourlyRate)) return [];
    return [{ type: 'ClientUserPortalRateSet', data: { contactId: command.contactId, hourlyRate, previousHourlyRate: state.hourlyRate } }];
  },
  evolve(state, event) {
    return event.type === 'ClientUserPortalRateSet' ? { hourlyRate: event.data.hourlyRate } : state;
  },
};
