import { Decider, OfType } from './decider';
import { DomainError } from './errors';
import { nameBasedUuid } from './ids';
import { isKnownLanguage } from './locale';

/**
 * Portals: an organization's doors for its clients. Four deciders, each over the stream that
 * can decide its rule on its own:
 *
 * - `portal` (stream `portal-<portalId>`): name, slug, self-registration, default language,
 *   invitation templates per language, user types (with their limit).
 * - `portalSlug` (stream `portalSlug-<slug>`): who holds a URL slug. Unique across every
 *   organization: the stream is appended with the expected revision, so two portals can never
 *   both hold it, and it answers "which portal has this slug" authoritatively.
 * - `organizationPortals` (the organization's own stream `organization-<id>`): every portal
 *   added, so the limit of portals per organization is decided by an event stream.
 * - `portalSeats` (stream `portalSeats-<portalId>`): the users a portal holds, against the
 *   limit of users per portal.
 */

export const portalStream = (portalId: string) => `portal-${portalId}`;
export const portalSlugStream = (slug: string) => `portalSlug-${slug}`;
export const portalSeatsStream = (portalId: string) => `portalSeats-${portalId}`;

/** The first portal of an organization, created with it: its id needs no lookup. */
export function defaultPortalId(organizationId: string): string {
  return nameBasedUuid('default-portal:' + organizationId);
}

export const PORTAL_MODULES = ['shifts', 'timesheets', 'quotes', 'invoices', 'projects', 'documents'] as const;
export type PortalModuleName = (typeof PORTAL_MODULES)[number];
/** `approve`: approve or reject a timesheet, accept or decline a quote, pay an invoice. */
export const PORTAL_ACTIONS = ['view', 'create', 'edit', 'delete', 'approve'] as const;
export type PortalActionName = (typeof PORTAL_ACTIONS)[number];
export type ModulePermissions = Record<PortalActionName, boolean>;
export type UserTypeModules = Record<PortalModuleName, ModulePermissions>;

/** What a portal user may always do, whatever its user type: see and edit its own profile. */
export const PROFILE_ACTIONS: readonly PortalActionName[] = ['view', 'edit'];

/** The placeholders an invitation template may use; anything else in `{{ }}` is refused. */
export const TEMPLATE_PLACEHOLDERS = ['contactName', 'portalUrl', 'username', 'acceptUrl', 'organizationName', 'expiresAt'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateVariables = Record<TemplatePlaceholder, string>;

export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 63;
export const PORTAL_NAME_MAX_LENGTH = 200;
export const USER_TYPE_NAME_MAX_LENGTH = 100;
export const TEMPLATE_SUBJECT_MAX_LENGTH = 200;
export const TEMPLATE_BODY_MAX_LENGTH = 20_000;

/** Slugs that name parts of the service (or could pass for it) rather than a client portal. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'api', 'app', 'assets', 'auth', 'billing', 'cdn', 'dashboard', 'default', 'docs', 'help',
  'health', 'login', 'logout', 'mail', 'metrics', 'new', 'null', 'portal', 'portals', 'register', 'root', 'signin',
  'signup', 'static', 'status', 'support', 'system', 'undefined', 'v1', 'v2', 'www',
]);

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Why a slug cannot be used, or null when it can. */
export function slugProblem(slug: string): string | null {
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH) {
    return `A slug has ${SLUG_MIN_LENGTH} to ${SLUG_MAX_LENGTH} characters.`;
  }
  if (!SLUG_PATTERN.test(slug)) {
    return 'A slug has lower-case letters a-z, digits and single hyphens, and neither starts nor ends with a hyphen.';
  }
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved.`;
  return null;
}

export function checkSlug(slug: string): void {
  const problem = slugProblem(slug);
  if (problem) throw new DomainError('unprocessable', 'invalid-slug', problem, { field: 'slug' });
}

/** A slug made from a name ("São Paulo Staffing" -> "sao-paulo-staffing"); '' when nothing is left. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/g, '');
}

/**
 * Slugs to try, in order, for a portal named `name`: the slugified name, then with a short
 * suffix derived from `seed` (stable, so a retry tries the same ones). A name that gives no
 * usable slug (too short, reserved, not Latin) starts from "portal-<suffix>".
 */
export function slugCandidates(name: string, seed: string): string[] {
  const suffix = nameBasedUuid(`slug:${seed}`).replace(/-/g, '').slice(0, 6);
  const base = slugify(name);
  const withSuffix = (stem: string) => `${stem.slice(0, SLUG_MAX_LENGTH - suffix.length - 1).replace(/-+$/g, '')}-${suffix}`;
  if (base && slugProblem(base) === null) return [base, withSuffix(base)];
  if (base.length >= 1 && slugProblem(withSuffix(base)) === null) return [withSuffix(base)];
  return [`portal-${suffix}`];
}

/** `{{ name }}` (spaces inside the braces allowed). */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * An invitation template is checked when saved: a subject of one line, a body, only known
 * placeholders (the `errors` name each unknown one), balanced braces, and the accept link in
 * the body (without it the invited person could not accept).
 */
export function checkTemplate(subject: string, body: string): void {
  const errors: { field: string; message: string }[] = [];
  if (!subject.trim()) errors.push({ field: 'subject', message: 'subject must not be empty' });
  if (/[\r\n]/.test(subject)) errors.push({ field: 'subject', message: 'subject must be a single line' });
  if (subject.length > TEMPLATE_SUBJECT_MAX_LENGTH) errors.push({ field: 'subject', message: `subject has at most ${TEMPLATE_SUBJECT_MAX_LENGTH} characters` });
  if (!body.trim()) errors.push({ field: 'body', message: 'body must not be empty' });
  if (body.length > TEMPLATE_BODY_MAX_LENGTH) errors.push({ field: 'body', message: `body has at most ${TEMPLATE_BODY_MAX_LENGTH} characters` });
  if (errors.length) throw new DomainError('unprocessable', 'invalid-template', errors.map((e) => e.message).join('; '), { errors });

  const unknown: { field: string; message: string }[] = [];
  const placeholders: string[] = [];
  for (const [field, text] of [['subject', subject], ['body', body]] as const) {
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(match[1])) {
        placeholders.push(match[1]);
        unknown.push({ field, message: `unknown placeholder {{${match[1]}}}` });
      }
    }
    if (/\{\{|\}\}/.test(text.replace(PLACEHOLDER, ''))) {
      throw new DomainError('unprocessable', 'malformed-placeholder', `The ${field} has an unclosed or nested "{{" placeholder.`, {
        errors: [{ field, message: 'placeholders are written {{name}}' }],
      });
    }
  }
  if (unknown.length) {
    throw new DomainError(
      'unprocessable',
      'unknown-placeholder',
      `Unknown placeholder${unknown.length > 1 ? 's' : ''}: ${[...new Set(placeholders)].map((p) => `{{${p}}}`).join(', ')}. Known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      { errors: unknown, placeholders: [...new Set(placeholders)], allowed: [...TEMPLATE_PLACEHOLDERS] },
    );
  }
  if (![...body.matchAll(PLACEHOLDER)].some((m) => m[1] === 'acceptUrl')) {
    throw new DomainError('unprocessable', 'accept-url-required', 'The body must contain {{acceptUrl}}: the link the invited person accepts with.', {
      errors: [{ field: 'body', message: 'body must contain {{acceptUrl}}' }],
    });
  }
}

/** Fills a checked template in. The subject stays one line whatever the values hold. */
export function renderTemplate(template: { subject: string; body: string }, vars: TemplateVariables): { subject: string; text: string } {
  const fill = (text: string) => text.replace(PLACEHOLDER, (whole, name: string) => (name in vars ? vars[name as TemplatePlaceholder] : whole));
  return { subject: fill(template.subject).replace(/[\r\n]+/g, ' '), text: fill(template.body) };
}

/** Every module with every action, false unless given true. */
export function normalizeModules(modules: Partial<Record<string, Partial<Record<string, boolean>>>>): UserTypeModules {
  const unknownModules = Object.keys(modules).filter((m) => !(PORTAL_MODULES as readonly string[]).includes(m));
  if (unknownModules.length) {
    throw new DomainError('unprocessable', 'unknown-module', `Unknown module${unknownModules.length > 1 ? 's' : ''}: ${unknownModules.join(', ')}.`, {
      errors: unknownModules.map((m) => ({ field: `modules.${m}`, message: `modules are ${PORTAL_MODULES.join(', ')}` })),
    });
  }
  const result = {} as UserTypeModules;
  const needsView: string[] = [];
  for (const module of PORTAL_MODULES) {
    const given = modules[module] ?? {};
    const unknownActions = Object.keys(given).filter((a) => !(PORTAL_ACTIONS as readonly string[]).includes(a));
    if (unknownActions.length) {
      throw new DomainError('unprocessable', 'unknown-action', `Unknown action${unknownActions.length > 1 ? 's' : ''} on ${module}: ${unknownActions.join(', ')}.`, {
        errors: unknownActions.map((a) => ({ field: `modules.${module}.${a}`, message: `actions are ${PORTAL_ACTIONS.join(', ')}` })),
      });
    }
    const permissions = Object.fromEntries(PORTAL_ACTIONS.map((action) => [action, given[action] === true])) as ModulePermissions;
    if (!permissions.view && PORTAL_ACTIONS.some((action) => permissions[action])) needsView.push(module);
    result[module] = permissions;
  }
  if (needsView.length) {
    throw new DomainError('unprocessable', 'permission-needs-view', `Creating, editing, deleting or approving needs viewing: ${needsView.join(', ')}.`, {
      errors: needsView.map((m) => ({ field: `modules.${m}.view`, message: 'view must be true when create, edit, delete or approve is' })),
    });
  }
  return result;
}

/** What a user of a type sees: the modules with at least one action allowed, and `profile`. */
export function visibleModules(modules: UserTypeModules): { module: 'profile' | PortalModuleName; actions: PortalActionName[] }[] {
  return [
    { module: 'profile' as const, actions: [...PROFILE_ACTIONS] },
    ...PORTAL_MODULES.map((module) => ({ module, actions: PORTAL_ACTIONS.filter((action) => modules[module][action]) })).filter((m) => m.actions.length > 0),
  ];
}

// ---------------------------------------------------------------------------------------------
// portal: stream `portal-<portalId>`
// ---------------------------------------------------------------------------------------------

export interface PortalSettings {
  name: string;
  slug: string;
  selfRegistration: boolean;
  defaultLanguage: string;
}

export interface InvitationTemplate {
  subject: string;
  body: string;
}

export interface UserType {
  userTypeId: string;
  name: string;
  modules: UserTypeModules;
}

export type PortalEvent =
  | {
      type: 'PortalCreated';
      data: { portalId: string; organizationId: string; isDefault: boolean } & PortalSettings;
    }
  | { type: 'PortalUpdated'; data: { portalId: string; changes: Partial<PortalSettings>; previousSlug: string | null } }
  | { type: 'InvitationTemplateSaved'; data: { portalId: string; language: string; subject: string; body: string } }
  | { type: 'InvitationTemplateRemoved'; data: { portalId: string; language: string } }
  | { type: 'UserTypeDefined'; data: { portalId: string; userTypeId: string; name: string; modules: UserTypeModules } }
  | { type: 'UserTypeChanged'; data: { portalId: string; userTypeId: string; changes: { name?: string; modules?: UserTypeModules } } };

export type PortalCommand =
  | ({ type: 'CreatePortal'; portalId: string; organizationId: string; isDefault: boolean } & PortalSettings)
  | { type: 'UpdatePortal'; changes: Partial<PortalSettings> }
  | { type: 'SaveInvitationTemplate'; language: string; subject: string; body: string }
  | { type: 'RemoveInvitationTemplate'; language: string }
  | { type: 'DefineUserType'; userTypeId: string; name: string; modules: Partial<Record<string, Partial<Record<string, boolean>>>>; maxUserTypes: number }
  | { type: 'ChangeUserType'; userTypeId: string; name?: string; modules?: Partial<Record<string, Partial<Record<string, boolean>>>> };

export interface PortalState extends PortalSettings {
  exists: boolean;
  portalId: string | null;
  organizationId: string | null;
  isDefault: boolean;
  templates: Record<string, InvitationTemplate>;
  userTypes: UserType[];
}

function notFound(): DomainError {
  return new DomainError('not-found', 'portal-not-found', 'No such portal.');
}

function checkName(name: string, field = 'name', max = PORTAL_NAME_MAX_LENGTH): string {
  const trimmed = name.trim();
  if (!trimmed) throw new DomainError('unprocessable', 'name-required', `${field} must not be empty.`, { field });
  if (trimmed.length > max) throw new DomainError('unprocessable', 'name-too-long', `${field} has at most ${max} characters.`, { field });
  return trimmed;
}

export function checkLanguage(language: string, field = 'language'): void {
  if (!isKnownLanguage(language)) {
    throw new DomainError('unprocessable', 'unknown-language', `"${language}" is not a known BCP 47 language tag (en, ja, pt-BR, fr, ...).`, { field });
  }
}

export const portal: Decider<PortalState, PortalCommand, PortalEvent> = {
  initialState: () => ({
    exists: false,
    portalId: null,
    organizationId: null,
    isDefault: false,
    name: '',
    slug: '',
    selfRegistration: false,
    defaultLanguage: 'en',
    templates: {},
    userTypes: [],
  }),

  decide(command, state) {
    switch (command.type) {
      case 'CreatePortal': return createPortal(command, state);
      case 'UpdatePortal': return updatePortal(command, state);
      case 'SaveInvitationTemplate': return saveInvitationTemplate(command, state);
      case 'RemoveInvitationTemplate': return removeInvitationTemplate(command, state);
      case 'DefineUserType': return defineUserType(command, state);
      case 'ChangeUserType': return changeUserType(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PortalCreated': {
        const { portalId, organizationId, isDefault, name, slug, selfRegistration, defaultLanguage } = event.data;
        return { ...state, exists: true, portalId, organizationId, isDefault, name, slug, selfRegistration, defaultLanguage };
      }
      case 'PortalUpdated':
        return { ...state, ...event.data.changes };
      case 'InvitationTemplateSaved':
        return { ...state, templates: { ...state.templates, [event.data.language]: { subject: event.data.subject, body: event.data.body } } };
      case 'InvitationTemplateRemoved': {
        const templates = { ...state.templates };
        delete templates[event.data.language];
        return { ...state, templates };
      }
      case 'UserTypeDefined':
        return { ...state, userTypes: [...state.userTypes, { userTypeId: event.data.userTypeId, name: event.data.name, modules: event.data.modules }] };
      case 'UserTypeChanged':
        return {
          ...state,
          userTypes: state.userTypes.map((t) => (t.userTypeId === event.data.userTypeId ? { ...t, ...event.data.changes } : t)),
        };
      default:
        return state;
    }
  },
};

/**
 * A new portal's settings as they are recorded (the name trimmed), or why not: a name, a valid
 * slug that is not reserved, a known default language. Checked before the slug is reserved.
 */
export function assertValidPortalSettings(settings: Pick<PortalSettings, 'name' | 'slug' | 'defaultLanguage'>): { name: string } {
  const name = checkName(settings.name);
  checkSlug(settings.slug);
  checkLanguage(settings.defaultLanguage, 'defaultLanguage');
  return { name };
}

/**
 * The changes to an existing portal that differ from what it has (none: nothing to write), or
 * why they are refused; checked before a new slug is reserved.
 */
export function assertMayUpdatePortal(state: PortalState, given: Partial<PortalSettings>): Partial<PortalSettings> {
  if (!state.exists) throw notFound();
  const changes: Partial<PortalSettings> = {};
  if (given.name !== undefined) {
    const name = checkName(given.name);
    if (name !== state.name) changes.name = name;
  }
  if (given.slug !== undefined) {
    checkSlug(given.slug);
    if (given.slug !== state.slug) changes.slug = given.slug;
  }
  if (given.selfRegistration !== undefined && given.selfRegistration !== state.selfRegistration) changes.selfRegistration = given.selfRegistration;
  if (given.defaultLanguage !== undefined) {
    checkLanguage(given.defaultLanguage, 'defaultLanguage');
    if (given.defaultLanguage !== state.defaultLanguage) changes.defaultLanguage = given.defaultLanguage;
  }
  return changes;
}

type Command<Type extends PortalCommand['type']> = OfType<PortalCommand, Type>;

/** CreatePortal -> PortalCreated */
function createPortal(command: Command<'CreatePortal'>, state: PortalState): PortalEvent[] {
  if (state.exists) throw new DomainError('conflict', 'portal-exists', 'This portal already exists.');
  const { name } = assertValidPortalSettings(command);
  return [
    {
      type: 'PortalCreated',
      data: {
        portalId: command.portalId,
        organizationId: command.organizationId,
        isDefault: command.isDefault,
        name,
        slug: command.slug,
        selfRegistration: command.selfRegistration,
        defaultLanguage: command.defaultLanguage,
      },
    },
  ];
}

/** UpdatePortal -> PortalUpdated (what changed only) */
function updatePortal(command: Command<'UpdatePortal'>, state: PortalState): PortalEvent[] {
  const changes = assertMayUpdatePortal(state, command.changes);
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'PortalUpdated', data: { portalId: state.portalId!, changes, previousSlug: changes.slug ? state.slug : null } }];
}

/** SaveInvitationTemplate -> InvitationTemplateSaved */
function saveInvitationTemplate(command: Command<'SaveInvitationTemplate'>, state: PortalState): PortalEvent[] {
  if (!state.exists) throw notFound();
  checkLanguage(command.language);
  checkTemplate(command.subject, command.body);
  const current = state.templates[command.language];
  if (current && current.subject === command.subject && current.body === command.body) return [];
  return [{ type: 'InvitationTemplateSaved', data: { portalId: state.portalId!, language: command.language, subject: command.subject, body: command.body } }];
}

/** RemoveInvitationTemplate -> InvitationTemplateRemoved */
function removeInvitationTemplate(command: Command<'RemoveInvitationTemplate'>, state: PortalState): PortalEvent[] {
  if (!state.exists) throw notFound();
  if (!state.templates[command.language]) {
    throw new DomainError('not-found', 'template-not-found', `This portal has no invitation template in "${command.language}".`);
  }
  return [{ type: 'InvitationTemplateRemoved', data: { portalId: state.portalId!, language: command.language } }];
}

/** DefineUserType -> UserTypeDefined (at most `maxUserTypes` per portal) */
function defineUserType(command: Command<'DefineUserType'>, state: PortalState): PortalEvent[] {
  if (!state.exists) throw notFound();
  if (state.userTypes.some((t) => t.userTypeId === command.userTypeId)) {
    throw new DomainError('conflict', 'user-type-exists', 'This user type already exists.');
  }
  const name = checkName(command.name, 'name', USER_TYPE_NAME_MAX_LENGTH);
  const modules = normalizeModules(command.modules);
  if (state.userTypes.some((t) => t.name.toLowerCase() === name.toLowerCase())) {
    throw new DomainError('conflict', 'user-type-name-taken', `This portal already has a user type named "${name}".`, { field: 'name' });
  }
  if (state.userTypes.length >= command.maxUserTypes) {
    throw new DomainError(
      'conflict',
      'user-type-limit-reached',
      `A portal has at most ${command.maxUserTypes} user types; this one has ${state.userTypes.length}.`,
      { limit: command.maxUserTypes },
    );
  }
  return [{ type: 'UserTypeDefined', data: { portalId: state.portalId!, userTypeId: command.userTypeId, name, modules } }];
}

/** ChangeUserType -> UserTypeChanged (what changed only) */
function changeUserType(command: Command<'ChangeUserType'>, state: PortalState): PortalEvent[] {
  if (!state.exists) throw notFound();
  const current = state.userTypes.find((t) => t.userTypeId === command.userTypeId);
  if (!current) throw new DomainError('not-found', 'user-type-not-found', 'This portal has no such user type.');
  const changes: { name?: string; modules?: UserTypeModules } = {};
  if (command.name !== undefined) {
    const name = checkName(command.name, 'name', USER_TYPE_NAME_MAX_LENGTH);
    if (state.userTypes.some((t) => t.userTypeId !== current.userTypeId && t.name.toLowerCase() === name.toLowerCase())) {
      throw new DomainError('conflict', 'user-type-name-taken', `This portal already has a user type named "${name}".`, { field: 'name' });
    }
    if (name !== current.name) changes.name = name;
  }
  if (command.modules !== undefined) {
    const modules = normalizeModules(command.modules);
    if (JSON.stringify(modules) !== JSON.stringify(current.modules)) changes.modules = modules;
  }
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'UserTypeChanged', data: { portalId: state.portalId!, userTypeId: current.userTypeId, changes } }];
}

// ---------------------------------------------------------------------------------------------
// portalSlug: stream `portalSlug-<slug>`
// ---------------------------------------------------------------------------------------------

export type PortalSlugEvent =
  | { type: 'PortalSlugReserved'; data: { slug: string; portalId: string; organizationId: string } }
  | { type: 'PortalSlugReleased'; data: { slug: string; portalId: string; organizationId: string } };

export type PortalSlugCommand =
  | { type: 'ReservePortalSlug'; slug: string; portalId: string; organizationId: string }
  | { type: 'ReleasePortalSlug'; portalId: string };

export interface PortalSlugState {
  slug: string | null;
  /** The portal that holds the slug now; null when free (never taken, or released). */
  portalId: string | null;
  organizationId: string | null;
}

/**
 * A slug belongs to one portal at a time. Reserving it again for the portal that holds it
 * changes nothing (a retried creation). A released slug can be taken again by a portal of the
 * same organization; the executor answers another organization's slug stream as "not found",
 * which the service turns into `slug-taken`: old links never lead into another organization.
 */
export const portalSlug: Decider<PortalSlugState, PortalSlugCommand, PortalSlugEvent> = {
  initialState: () => ({ slug: null, portalId: null, organizationId: null }),

  decide(command, state) {
    switch (command.type) {
      case 'ReservePortalSlug': {
        checkSlug(command.slug);
        if (state.portalId === command.portalId) return [];
        if (state.portalId !== null || (state.organizationId !== null && state.organizationId !== command.organizationId)) {
          throw slugTaken(command.slug);
        }
        return [{ type: 'PortalSlugReserved', data: { slug: command.slug, portalId: command.portalId, organizationId: command.organizationId } }];
      }
      case 'ReleasePortalSlug': {
        if (state.portalId !== command.portalId) return [];
        return [{ type: 'PortalSlugReleased', data: { slug: state.slug!, portalId: command.portalId, organizationId: state.organizationId! } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PortalSlugReserved':
        return { slug: event.data.slug, portalId: event.data.portalId, organizationId: event.data.organizationId };
      case 'PortalSlugReleased':
        return { ...state, portalId: null };
      default:
        return state;
    }
  },
};

export function slugTaken(slug: string): DomainError {
  return new DomainError('conflict', 'slug-taken', `The slug "${slug}" is already taken.`, { field: 'slug' });
}

// ---------------------------------------------------------------------------------------------
// organizationPortals: the organization's stream `organization-<id>`, seen for its portals
// ---------------------------------------------------------------------------------------------

export type OrganizationPortalsEvent =
  | { type: 'OrganizationCreated'; data: { organizationId: string; name: string } }
  | { type: 'PortalAdded'; data: { organizationId: string; portalId: string } };

export type OrganizationPortalsCommand = { type: 'AddPortal'; portalId: string; maxPortals: number };

export interface OrganizationPortalsState {
  exists: boolean;
  organizationId: string | null;
  name: string | null;
  portalIds: string[];
}

/** The portals of an organization, counted on its own stream against MAX_PORTALS. */
export const organizationPortals: Decider<OrganizationPortalsState, OrganizationPortalsCommand, OrganizationPortalsEvent> = {
  initialState: () => ({ exists: false, organizationId: null, name: null, portalIds: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'AddPortal': {
        assertMayAddPortal(state, command.portalId, command.maxPortals);
        if (state.portalIds.includes(command.portalId)) return [];
        return [{ type: 'PortalAdded', data: { organizationId: state.organizationId!, portalId: command.portalId } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationCreated':
        return { ...state, exists: true, organizationId: event.data.organizationId, name: event.data.name };
      case 'PortalAdded':
        return { ...state, portalIds: [...state.portalIds, event.data.portalId] };
      default:
        return state;
    }
  },
};

/** Whether the organization may add this portal: it exists, and has fewer than `maxPortals` (adding one it has is nothing). */
export function assertMayAddPortal(state: OrganizationPortalsState, portalId: string, maxPortals: number): void {
  if (!state.exists) throw new DomainError('not-found', 'organization-not-found', 'No such organization.');
  if (!state.portalIds.includes(portalId) && state.portalIds.length >= maxPortals) {
    throw new DomainError('conflict', 'portal-limit-reached', `An organization has at most ${maxPortals} portals; this one has ${state.portalIds.length}.`, { limit: maxPortals });
  }
}

// ---------------------------------------------------------------------------------------------
// portalSeats: stream `portalSeats-<portalId>`
// ---------------------------------------------------------------------------------------------

export type PortalSeatsEvent =
  | { type: 'PortalUserSeatTaken'; data: { portalId: string; accessId: string } }
  | { type: 'PortalUserSeatReleased'; data: { portalId: string; accessId: string } };

export type PortalSeatsCommand =
  | { type: 'TakePortalUserSeat'; portalId: string; accessId: string; maxUsers: number }
  | { type: 'ReleasePortalUserSeat'; portalId: string; accessId: string };

export interface PortalSeatsState {
  accessIds: ReadonlySet<string>;
}

/**
 * The users of a portal (one seat per portal access, taken when invited, released when
 * revoked), against MAX_USERS_PER_PORTAL. Kept apart from the portal's own stream so that
 * loading a portal's settings never folds thousands of seat events.
 */
export const portalSeats: Decider<PortalSeatsState, PortalSeatsCommand, PortalSeatsEvent> = {
  initialState: () => ({ accessIds: new Set<string>() }),

  decide(command, state) {
    switch (command.type) {
      case 'TakePortalUserSeat': {
        if (state.accessIds.has(command.accessId)) return [];
        if (state.accessIds.size >= command.maxUsers) {
          throw new DomainError(
            'conflict',
            'portal-user-limit-reached',
            `This portal has reached its limit of ${command.maxUsers} users: remove a user before inviting another.`,
            { limit: command.maxUsers },
          );
        }
        return [{ type: 'PortalUserSeatTaken', data: { portalId: command.portalId, accessId: command.accessId } }];
      }
      case 'ReleasePortalUserSeat':
        if (!state.accessIds.has(command.accessId)) return [];
        return [{ type: 'PortalUserSeatReleased', data: { portalId: command.portalId, accessId: command.accessId } }];
    }
  },

  // Seats are folded by the thousand: the set grows in place, so loading stays linear. A
  // state only ever moves forward (the command executor keeps the latest and folds new events
  // onto it), and adding or deleting an access twice changes nothing, so sharing it is safe.
  evolve(state, event) {
    switch (event.type) {
      case 'PortalUserSeatTaken':
        (state.accessIds as Set<string>).add(event.data.accessId);
        return { accessIds: state.accessIds };
      case 'PortalUserSeatReleased':
        (state.accessIds as Set<string>).delete(event.data.accessId);
        return { accessIds: state.accessIds };
      default:
        return state;
    }
  },
};
