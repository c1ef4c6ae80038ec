import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
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
  PortalSettings,
  portalAccess,
  portalAccessStream,
  portalSeats,
  portalSeatsStream,
  portalSlug,
  PortalSlugEvent,
  portalSlugStream,
  PortalState,
  portalStream,
  renderTemplate,
  slugCandidates,
  slugProblem,
  slugTaken,
  normalizeModules,
  UserTypeModules,
  visibleModules,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';

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

/** An invitation waiting for its seat. */
interface SeatRequest {
  context: CommandContext;
  accessId: string;
  resolve: (position: bigint) => void;
  reject: (error: unknown) => void;
}

/** Seats decided together at most, in one append. */
const SEATS_PER_APPEND = 200;
/** After a reclaim that found nothing, the next waits this long (a full portal is refused at once meanwhile). */
const RECLAIM_PAUSE_MS = 5_000;
/** Access streams read at once while looking for abandoned seats. */
const RECLAIM_READS_AT_ONCE = 32;

function isLimitReached(outcome: { ok: boolean; error?: unknown }): boolean {
  return !outcome.ok && outcome.error instanceof DomainError && outcome.error.code === 'portal-user-limit-reached';
}

/** What a user type's modules look like when given: any subset, any subset of actions. */
export type ModulesInput = Partial<Record<string, Partial<Record<string, boolean>>>>;

export interface Written<T> {
  value: T;
  position: bigint;
}

/**
 * Portals, their invitation templates and user types. Every answer here comes from the event
 * streams (never a projection): `portal-<id>` for a portal, `portalSlug-<slug>` for who holds
 * a slug (across organizations), the organization's stream for how many portals it has, and
 * `portalSeats-<portalId>` for how many users a portal holds.
 *
 * A portal's creation touches three streams; every rule is checked on all of them before the
 * first write, so bad input and broken rules write nothing. Only a concurrent writer can make a
 * later step fail, and then the slug taken by the earlier step is released again.
 */
@Injectable()
export class Portals {
  private readonly logger = new Logger('Portals');
  private readonly seatQueues = new Map<string, SeatRequest[]>();
  /** Seats this process took for invitations still being written (count per `portalId:accessId`): never reclaimed. */
  private readonly seatsInFlight = new Map<string, number>();
  /** Per portal, accesses whose seat was found followed by its invitation (not looked at again). */
  private readonly seatsConfirmed = new Map<string, Set<string>>();
  /** Per portal, when a reclaim last found nothing to free. */
  private readonly lastFruitlessReclaim = new Map<string, number>();

  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Reads (other code uses these)
  // ---------------------------------------------------------------------------------------

  /**
   * A portal of the organization. Without `portalId` (or with `'default'`): the
   * organization's default portal, created now if an organization from before portals has
   * none. Unknown, or another organization's: 404 `portal-not-found`.
   */
  async resolve(organizationId: string, portalId?: string): Promise<PortalView> {
    if (portalId === undefined || portalId === 'default' || portalId === defaultPortalId(organizationId)) {
      const existing = await this.load(organizationId, defaultPortalId(organizationId));
      if (existing.exists) return toView(existing);
      return (await this.ensureDefaultPortalOf(organizationId)).value;
    }
    const state = await this.load(organizationId, portalId);
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
    const state = await this.load(holder.organizationId, holder.portalId);
    // Between a slug change's steps the slug may still point at a portal that moved on.
    return state.exists && state.slug === slug ? toView(state) : null;
  }

  /** A user type of the portal; unknown: 422 `unknown-user-type`. */
  userType(portal: PortalView, userTypeId: string): UserTypeView {
    const found = portal.userTypes.find((t) => t.id === userTypeId);
    if (!found) {
      throw new DomainError('unprocessable', 'unknown-user-type', 'This portal has no such user type.', { field: 'userTypeId' });
    }
    return found;
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
      const state = await this.load(organizationId, portalId);
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

  // ---------------------------------------------------------------------------------------
  // Writes
  // ---------------------------------------------------------------------------------------

  /**
   * The organization's first portal: named after it, slug from the name (a short suffix when
   * taken), self-registration off, English. Idempotent: calling it again (or concurrently)
   * changes nothing and answers the portal.
   */
  async ensureDefaultPortal(organizationId: string, organizationName: string, context: CommandContext): Promise<Written<PortalView>> {
    const portalId = defaultPortalId(organizationId);
    const existing = await this.executor.load(portalStream(portalId), portal, organizationId);
    if (existing.state.exists) return { value: toView(existing.state), position: await this.lastPosition(portalStream(portalId)) };
    const name = organizationName.trim().slice(0, 200) || 'Client portal';
    const inOrganization: CommandContext = { ...context, organizationId };
    const candidates = slugCandidates(name, organizationId);
    const { slug, position: reserved } = await this.reserveFirstFree(inOrganization, portalId, [...candidates, ...randomCandidates(candidates[0], 3)]);
    await this.executor.execute({
      streamName: organizationStream(organizationId),
      decider: organizationPortals,
      // The default portal is always allowed: every organization has at least this one.
      command: { type: 'AddPortal', portalId, maxPortals: Number.MAX_SAFE_INTEGER },
      context: inOrganization,
    });
    try {
      const created = await this.executor.execute({
        streamName: portalStream(portalId),
        decider: portal,
        command: { type: 'CreatePortal', portalId, organizationId, isDefault: true, name, slug, selfRegistration: false, defaultLanguage: 'en' },
        context: inOrganization,
      });
      return { value: toView(created.state), position: max(reserved, created.position) };
    } catch (error) {
      // Created at the same time by another call: that one stands.
      if (error instanceof DomainError && error.code === 'portal-exists') return this.ensureDefaultPortal(organizationId, organizationName, context);
      throw error;
    }
  }

  /** The default portal of an organization from before portals, created now (by the system). */
  async ensureDefaultPortalOf(organizationId: string): Promise<Written<PortalView>> {
    const name = await this.organizationName(organizationId);
    if (name === null) throw portalNotFound();
    return this.ensureDefaultPortal(organizationId, name, systemContext(organizationId));
  }

  async create(context: CommandContext, input: { name?: string; slug?: string; selfRegistration?: boolean; defaultLanguage?: string }): Promise<Written<PortalView>> {
    const organizationId = context.organizationId;
    const organization = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    const organizationName = organization.state.name ?? (await this.organizationName(organizationId));
    if (organizationName === null) throw new DomainError('not-found', 'organization-not-found', 'No such organization.');
    // The default portal is the first one, also for organizations from before portals.
    if (!organization.state.portalIds.includes(defaultPortalId(organizationId))) {
      await this.ensureDefaultPortal(organizationId, organizationName, context);
    }

    const portalId = randomUUID();
    const name = input.name ?? organizationName;
    const candidates = input.slug !== undefined ? [input.slug] : slugCandidates(name, portalId);
    const command = {
      type: 'CreatePortal' as const,
      portalId,
      organizationId,
      isDefault: false,
      name,
      slug: candidates[0],
      selfRegistration: input.selfRegistration ?? false,
      defaultLanguage: input.defaultLanguage ?? 'en',
    };
    // Every rule first, before anything is written: the values, the limit, the slug.
    portal.decide(command, portal.initialState());
    const maxPortals = this.config.maxPortals;
    const current = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    organizationPortals.decide({ type: 'AddPortal', portalId, maxPortals }, current.state);
    if (input.slug !== undefined && !(await this.slugAvailable(input.slug, organizationId, portalId))) throw slugTaken(input.slug);

    const { slug, position: reserved } = await this.reserveFirstFree(context, portalId, candidates);
    try {
      await this.executor.execute({
        streamName: organizationStream(organizationId),
        decider: organizationPortals,
        command: { type: 'AddPortal', portalId, maxPortals },
        context,
      });
      const created = await this.executor.execute({ streamName: portalStream(portalId), decider: portal, command: { ...command, slug }, context });
      return { value: toView(created.state), position: max(reserved, created.position) };
    } catch (error) {
      await this.releaseSlug(context, slug, portalId);
      throw error;
    }
  }

  async update(context: CommandContext, portalId: string, changes: Partial<PortalSettings>): Promise<Written<PortalView>> {
    const state = await this.load(context.organizationId, portalId);
    if (!state.exists) throw portalNotFound();
    const events = portal.decide({ type: 'UpdatePortal', changes }, state);
    if (events.length === 0) return { value: toView(state), position: await this.lastPosition(portalStream(portalId)) };
    const newSlug = changes.slug !== undefined && changes.slug !== state.slug ? changes.slug : null;
    let reserved = 0n;
    if (newSlug) {
      if (!(await this.slugAvailable(newSlug, context.organizationId, portalId))) throw slugTaken(newSlug);
      reserved = await this.reserveSlug(context, newSlug, portalId);
    }
    let updated;
    try {
      updated = await this.executor.execute({ streamName: portalStream(portalId), decider: portal, command: { type: 'UpdatePortal', changes }, context });
    } catch (error) {
      if (newSlug) await this.releaseSlug(context, newSlug, portalId);
      throw error;
    }
    let position = max(reserved, updated.position);
    // The old slug is free again (for this organization's portals) once the portal has moved on.
    if (newSlug) position = max(position, await this.releaseSlug(context, state.slug, portalId));
    return { value: toView(updated.state), position };
  }

  async saveTemplate(context: CommandContext, portalId: string, language: string, subject: string, body: string): Promise<Written<PortalView>> {
    return this.onPortal(context, portalId, { type: 'SaveInvitationTemplate', language, subject, body });
  }

  async removeTemplate(context: CommandContext, portalId: string, language: string): Promise<Written<PortalView>> {
    return this.onPortal(context, portalId, { type: 'RemoveInvitationTemplate', language });
  }

  async defineUserType(context: CommandContext, portalId: string, input: { name: string; modules: ModulesInput }): Promise<Written<UserTypeView>> {
    const userTypeId = randomUUID();
    const { value, position } = await this.onPortal(context, portalId, {
      type: 'DefineUserType',
      userTypeId,
      name: input.name,
      modules: input.modules,
      maxUserTypes: this.config.maxUserTypesPerPortal,
    });
    return { value: this.userType(value, userTypeId), position };
  }

  async changeUserType(
    context: CommandContext,
    portalId: string,
    userTypeId: string,
    input: { name?: string; modules?: ModulesInput },
  ): Promise<Written<UserTypeView>> {
    const { value, position } = await this.onPortal(context, portalId, { type: 'ChangeUserType', userTypeId, name: input.name, modules: input.modules });
    return { value: this.userType(value, userTypeId), position };
  }

  /**
   * Invites into a portal: takes the access's seat, then runs `invite` (which writes the
   * invitation). If the invitation fails, the seat is given back, unless a concurrent
   * invitation of the same access now holds it. A seat whose invitation never followed (the
   * process stopped in between) is reclaimed when the portal is full (see reclaimAbandonedSeats).
   */
  async inviteWithSeat<T>(context: CommandContext, portalId: string, accessId: string, invite: () => Promise<T>): Promise<T> {
    const key = `${portalId}:${accessId}`;
    this.seatsInFlight.set(key, (this.seatsInFlight.get(key) ?? 0) + 1);
    try {
      await this.takeUserSeat(context, portalId, accessId);
      try {
        return await invite();
      } catch (error) {
        const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
        if (state.status === null || state.status === 'Revoked') await this.releaseUserSeat(context, portalId, accessId);
        throw error;
      }
    } finally {
      const left = this.seatsInFlight.get(key)! - 1;
      if (left === 0) this.seatsInFlight.delete(key);
      else this.seatsInFlight.set(key, left);
    }
  }

  /**
   * One seat for a portal access (when it is invited): 409 `portal-user-limit-reached` once the
   * portal holds MAX_USERS_PER_PORTAL users. Taking the seat of an access that has one is nothing.
   */
  async takeUserSeat(context: CommandContext, portalId: string, accessId: string): Promise<bigint> {
    this.seatsConfirmed.get(portalId)?.delete(accessId);
    // Every invitation into a portal passes through its one seats stream: the seats asked for
    // while an append is in flight are decided together and appended at once (one fsync).
    return new Promise<bigint>((resolve, reject) => {
      let queue = this.seatQueues.get(portalId);
      if (!queue) this.seatQueues.set(portalId, (queue = []));
      queue.push({ context, accessId, resolve, reject });
      if (queue.length === 1) void this.takeQueuedSeats(portalId, queue);
    });
  }

  private async takeQueuedSeats(portalId: string, queue: SeatRequest[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, SEATS_PER_APPEND);
      try {
        const outcomes = await this.decideSeats(portalId, batch);
        // The portal is full: seats left behind by invitations that never followed are freed, and the refused asks tried once more.
        const refused = batch.map((_, index) => index).filter((index) => isLimitReached(outcomes[index]));
        if (refused.length > 0 && (await this.reclaimAbandonedSeats(portalId, batch[refused[0]].context.organizationId)) > 0) {
          const retried = await this.decideSeats(portalId, refused.map((index) => batch[index]));
          refused.forEach((index, k) => (outcomes[index] = retried[k]));
        }
        outcomes.forEach((outcome, index) => (outcome.ok ? batch[index].resolve(outcome.position) : batch[index].reject(outcome.error)));
      } catch (error) {
        for (const request of batch) request.reject(error);
      }
      queue.splice(0, batch.length);
    }
    this.seatQueues.delete(portalId);
  }

  private decideSeats(portalId: string, requests: SeatRequest[]) {
    return this.executor.executeEach({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      items: requests.map(({ context, accessId }) => ({
        context,
        command: { type: 'TakePortalUserSeat' as const, portalId, accessId, maxUsers: this.config.maxUsersPerPortal },
      })),
    });
  }

  /**
   * Frees the seats taken for an invitation that never followed: held longer than
   * SEAT_RESERVATION_SECONDS, not in flight in this process, and whose access the stream says
   * was never invited (or was revoked: the process stopped before giving the seat back).
   * Answers how many it freed. Runs only when the portal is full, at most every few seconds
   * when it finds nothing.
   */
  async reclaimAbandonedSeats(portalId: string, organizationId: string): Promise<number> {
    const now = Date.now();
    const fruitless = this.lastFruitlessReclaim.get(portalId);
    if (fruitless !== undefined && now - fruitless < RECLAIM_PAUSE_MS) return 0;
    // When each seat was taken is in the events' metadata, not in the folded state.
    const { events } = await this.store.readStream(portalSeatsStream(portalId));
    const takenAt = new Map<string, number>();
    for (const event of events) {
      const accessId = event.data.accessId as string;
      if (event.type === 'PortalUserSeatTaken') takenAt.set(accessId, Date.parse(event.metadata.occurredAt));
      else if (event.type === 'PortalUserSeatReleased') takenAt.delete(accessId);
    }
    let confirmed = this.seatsConfirmed.get(portalId);
    if (!confirmed) this.seatsConfirmed.set(portalId, (confirmed = new Set()));
    const cutoff = now - this.config.seatReservationSeconds * 1000;
    const candidates = [...takenAt]
      .filter(([accessId, at]) => at <= cutoff && !confirmed.has(accessId) && !this.seatsInFlight.has(`${portalId}:${accessId}`))
      .map(([accessId]) => accessId);
    const abandoned: string[] = [];
    for (let i = 0; i < candidates.length; i += RECLAIM_READS_AT_ONCE) {
      await Promise.all(
        candidates.slice(i, i + RECLAIM_READS_AT_ONCE).map(async (accessId) => {
          const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
          if (state.status === null || state.status === 'Revoked') abandoned.push(accessId);
          else confirmed.add(accessId);
        }),
      );
    }
    if (abandoned.length === 0) {
      this.lastFruitlessReclaim.set(portalId, now);
      return 0;
    }
    this.lastFruitlessReclaim.delete(portalId);
    const context: CommandContext = { organizationId, actor: { kind: 'system', id: 'seat-reclaim' }, channel: 'system', correlationId: randomUUID() };
    const outcomes = await this.executor.executeEach({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      items: abandoned.map((accessId) => ({ context, command: { type: 'ReleasePortalUserSeat' as const, portalId, accessId } })),
    });
    const freed = outcomes.filter((outcome) => outcome.ok).length;
    this.logger.warn(`Portal ${portalId}: freed ${freed} seat(s) taken for invitations that never followed`);
    return freed;
  }

  /** Frees an access's seat (when it is revoked). Nothing when it holds none. */
  async releaseUserSeat(context: CommandContext, portalId: string, accessId: string): Promise<bigint> {
    const { position } = await this.executor.execute({
      streamName: portalSeatsStream(portalId),
      decider: portalSeats,
      command: { type: 'ReleasePortalUserSeat', portalId, accessId },
      context,
    });
    this.seatsConfirmed.get(portalId)?.delete(accessId);
    return position;
  }

  // ---------------------------------------------------------------------------------------

  private async onPortal(context: CommandContext, portalId: string, command: Parameters<typeof portal.decide>[0]): Promise<Written<PortalView>> {
    const state = await this.load(context.organizationId, portalId);
    if (!state.exists) throw portalNotFound();
    const result = await this.executor.execute({ streamName: portalStream(portalId), decider: portal, command, context });
    return { value: toView(result.state), position: result.position };
  }

  private async load(organizationId: string, portalId: string): Promise<PortalState> {
    return (await this.executor.load(portalStream(portalId), portal, organizationId)).state;
  }

  private async organizationName(organizationId: string): Promise<string | null> {
    const { state } = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    return state.exists ? state.name : null;
  }

  private async lastPosition(streamName: string): Promise<bigint> {
    const { events } = await this.store.readStream(streamName);
    return events.length ? events[events.length - 1].position : 0n;
  }

  /** Free for this portal: nobody holds it, or this portal does; a slug of another organization never is. */
  private async slugAvailable(slug: string, organizationId: string, portalId: string): Promise<boolean> {
    const { events } = await this.store.readStream(portalSlugStream(slug));
    if (events.length === 0) return true;
    if (events[0].metadata.organizationId !== organizationId) return false;
    const holder = fold(portalSlug, events.map((e) => ({ type: e.type, data: e.data }) as unknown as PortalSlugEvent));
    return holder.portalId === null || holder.portalId === portalId;
  }

  private async reserveSlug(context: CommandContext, slug: string, portalId: string): Promise<bigint> {
    try {
      const { position } = await this.executor.execute({
        streamName: portalSlugStream(slug),
        decider: portalSlug,
        command: { type: 'ReservePortalSlug', slug, portalId, organizationId: context.organizationId },
        context,
      });
      return position;
    } catch (error) {
      // Another organization's slug stream reads as "not found" to this one: it is taken.
      if (error instanceof DomainError && error.kind === 'not-found') throw slugTaken(slug);
      throw error;
    }
  }

  private async reserveFirstFree(context: CommandContext, portalId: string, candidates: string[]): Promise<{ slug: string; position: bigint }> {
    let lastError: unknown;
    for (const slug of candidates) {
      try {
        return { slug, position: await this.reserveSlug(context, slug, portalId) };
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'slug-taken')) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  private async releaseSlug(context: CommandContext, slug: string, portalId: string): Promise<bigint> {
    const { position } = await this.executor.execute({
      streamName: portalSlugStream(slug),
      decider: portalSlug,
      command: { type: 'ReleasePortalSlug', portalId },
      context,
    });
    return position;
  }
}

function toView(state: PortalState): PortalView {
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

function portalNotFound(): DomainError {
  return new DomainError('not-found', 'portal-not-found', 'No such portal.');
}

function systemContext(organizationId: string): CommandContext {
  return { organizationId, actor: { kind: 'system', id: 'portals' }, channel: 'system', correlationId: randomUUID() };
}

function randomCandidates(first: string, count: number): string[] {
  const stem = first.replace(/-[0-9a-f]{6}$/, '').slice(0, 52).replace(/-+$/, '') || 'portal';
  return Array.from({ length: count }, () => `${stem}-${randomBytes(5).toString('hex')}`);
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
