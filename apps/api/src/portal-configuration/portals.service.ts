import { loadOrganization } from '../organizations/organizations';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  defaultPortalId,
  DomainError,
  fold,
  ModulePermissions,
  organizationPortals,
  organizationStream,
  portal,
  PORTAL_MODULES,
  PortalActionName,
  PortalModuleName,
  portalSlug,
  PortalSlugEvent,
  portalSlugStream,
  PortalState,
  portalStream,
  renderTemplate,
  slugProblem,
  normalizeModules,
  UserTypeModules,
  visibleModules,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { EnsureDefaultPortal } from './portals.commands';

export type UserTypeModuleName = PortalModuleName;

/** What a portal user without a user type may do: look, not touch. */
const VIEW_ONLY: UserTypeModules = normalizeModules(Object.fromEntries(PORTAL_MODULES.map((module) => [module, { view: true }])));

export interface UserTypeView {
  id: string;
  name: string;
  modules: Record<UserTypeModuleName, ModulePermissions>;
}

export interface PortalView {
  id: string;
  organizationId: string;
  name: string;
  slug: string;
  selfRegistration: boolean;
  defaultLanguage: string;
  /** The organization's first portal, created with it (id `defaultPortalId(organizationId)`). */
  isDefault: boolean;
  templates: Record<string, { subject: string; body: string }>;
  userTypes: UserTypeView[];
}

export interface InvitationVariables {
  contactName: string;
  portalUrl: string;
  username: string;
  acceptUrl: string;
  organizationName: string;
  expiresAt: string;
}

export interface PortalPreview {
  portalId: string;
  userType: { id: string; name: string };
  modules: { module: 'profile' | UserTypeModuleName; actions: PortalActionName[] }[];
}

/** What a user type's modules look like when given: any subset, any subset of actions. */
export type ModulesInput = Partial<Record<string, Partial<Record<string, boolean>>>>;

/** A portal as a write answers it: the portal, and the position to wait for. */
export type WrittenPortal = PortalView & { position: number };
export type WrittenUserType = UserTypeView & { portalId: string; position: number };

/**
 * Portals, their invitation templates and user types, as their event streams tell them (never
 * a projection): `portal-<id>` for a portal, `portalSlug-<slug>` for who holds a slug (across
 * organizations), the organization's stream for its portals. The writes are the commands of
 * portals.commands.ts (and of portal-seats.commands.ts for the users a portal holds).
 */
@Injectable()
export class Portals {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commands: CommandBus,
  ) {}

  /**
   * A portal of the organization. Without `portalId` (or with `'default'`): the
   * organization's default portal, created now (EnsureDefaultPortal) if an organization from
   * before portals has none. Unknown, or another organization's: 404 `portal-not-found`.
   */
  async resolve(organizationId: string, portalId?: string): Promise<PortalView> {
    if (portalId === undefined || portalId === 'default' || portalId === defaultPortalId(organizationId)) {
      const existing = await portalStateOf(this.executor, organizationId, defaultPortalId(organizationId));
      if (existing.exists) return toView(existing);
      return (await this.commands.execute(new EnsureDefaultPortal(organizationId))).portal;
    }
    const state = await portalStateOf(this.executor, organizationId, portalId);
    if (!state.exists) throw portalNotFound();
    return toView(state);
  }

  /** Every portal of the organization (its default one included), from the organization's own stream. */
  async portalIdsOf(organizationId: string): Promise<string[]> {
    const { state } = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    return [...new Set([defaultPortalId(organizationId), ...state.portalIds])];
  }

  /** The portal that holds a slug, in whichever organization; null if none does. */
  async bySlug(slug: string): Promise<PortalView | null> {
    if (typeof slug !== 'string' || slugProblem(slug) !== null) return null;
    const { events } = await this.store.readStream(portalSlugStream(slug));
    const holder = fold(portalSlug, events.map((e) => ({ type: e.type, data: e.data }) as unknown as PortalSlugEvent));
    if (!holder.portalId || !holder.organizationId) return null;
    const state = await portalStateOf(this.executor, holder.organizationId, holder.portalId);
    // Between a slug change's steps the slug may still point at a portal that moved on.
    return state.exists && state.slug === slug ? toView(state) : null;
  }

  /** A user type of the portal; unknown: 422 `unknown-user-type`. */
  userType(portal: PortalView, userTypeId: string): UserTypeView {
    return userTypeOf(portal, userTypeId);
  }

  /**
   * The portal's invitation email in a language: its template for that language, else for the
   * language's base (`pt` for `pt-BR`), else for the portal's default language; null when it
   * has none of these (the caller then sends the built-in email).
   */
  renderInvitation(
    portal: PortalView,
    language: string,
    vars: InvitationVariables,
    options: { fallbackToDefaultLanguage: boolean } = { fallbackToDefaultLanguage: true },
  ): { subject: string; text: string } | null {
    const base = language.split('-')[0];
    const template =
      own(portal.templates, language) ?? own(portal.templates, base) ?? (options.fallbackToDefaultLanguage ? own(portal.templates, portal.defaultLanguage) : undefined);
    if (!template) return null;
    return renderTemplate(template, {
      contactName: vars.contactName,
      portalUrl: vars.portalUrl,
      username: vars.username,
      acceptUrl: vars.acceptUrl,
      organizationName: vars.organizationName,
      expiresAt: vars.expiresAt,
    });
  }

  /**
   * The module permissions of a portal user: its user type's, or view-only on every module
   * when it has none (or its portal is gone).
   */
  async permissionsOf(organizationId: string, portalId: string, userTypeId: string | null): Promise<UserTypeModules> {
    if (userTypeId) {
      const state = await portalStateOf(this.executor, organizationId, portalId);
      const type = state.exists ? toView(state).userTypes.find((t) => t.id === userTypeId) : undefined;
      if (type) return type.modules;
    }
    return VIEW_ONLY;
  }

  /** What a user of a type would see in the portal: modules with an allowed action, and its profile. */
  async preview(organizationId: string, portalId: string, userTypeId: string): Promise<PortalPreview> {
    const view = await this.resolve(organizationId, portalId);
    const type = this.userType(view, userTypeId);
    return { portalId: view.id, userType: { id: type.id, name: type.name }, modules: visibleModules(type.modules) };
  }
}

/** A portal's state as its stream tells it to the organization (another organization's: none). */
export async function portalStateOf(executor: CommandExecutor, organizationId: string, portalId: string): Promise<PortalState> {
  return (await executor.load(portalStream(portalId), portal, organizationId)).state;
}

/** The organization's name from its own stream; null when it does not exist. */
export async function organizationNameOf(executor: CommandExecutor, organizationId: string): Promise<string | null> {
  const state = await loadOrganization(executor, organizationId);
  return state.exists ? state.name : null;
}

/** Free for this portal: nobody holds it, or this portal does; a slug of another organization never is. */
export async function slugAvailable(store: EventStore, slug: string, organizationId: string, portalId: string): Promise<boolean> {
  const { events } = await store.readStream(portalSlugStream(slug));
  if (events.length === 0) return true;
  if (events[0].metadata.organizationId !== organizationId) return false;
  const holder = fold(portalSlug, events.map((e) => ({ type: e.type, data: e.data }) as unknown as PortalSlugEvent));
  return holder.portalId === null || holder.portalId === portalId;
}

/** A user type of the portal; unknown: 422 `unknown-user-type`. */
export function userTypeOf(portal: PortalView, userTypeId: string): UserTypeView {
  const found = portal.userTypes.find((t) => t.id === userTypeId);
  if (!found) {
    throw new DomainError('unprocessable', 'unknown-user-type', 'This portal has no such user type.', { field: 'userTypeId' });
  }
  return found;
}

export function toView(state: PortalState): PortalView {
  return {
    id: state.portalId!,
    organizationId: state.organizationId!,
    name: state.name,
    slug: state.slug,
    selfRegistration: state.selfRegistration,
    defaultLanguage: state.defaultLanguage,
    isDefault: state.isDefault,
    templates: Object.fromEntries(Object.entries(state.templates).map(([language, t]) => [language, { subject: t.subject, body: t.body }])),
    userTypes: state.userTypes.map((t) => ({
      id: t.userTypeId,
      name: t.name,
      modules: Object.fromEntries(PORTAL_MODULES.map((m) => [m, { ...t.modules[m] }])) as UserTypeView['modules'],
    })),
  };
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

export function portalNotFound(): DomainError {
  return new DomainError('not-found', 'portal-not-found', 'No such portal.');
}
