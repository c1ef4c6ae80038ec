import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  assertMayAddPortal,
  assertMayUpdatePortal,
  assertValidPortalSettings,
  defaultPortalId,
  DomainError,
  organizationPortals,
  organizationStream,
  portal,
  PortalCommand,
  PortalSettings,
  portalSlug,
  portalSlugStream,
  portalStream,
  slugCandidates,
  slugTaken,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import {
  ModulesInput,
  organizationNameOf,
  portalNotFound,
  portalStateOf,
  PortalView,
  slugAvailable,
  toView,
  userTypeOf,
  WrittenPortal,
  WrittenUserType,
} from './portals.service';

/**
 * The writes of portals. A portal's creation touches three streams (its slug, the
 * organization's list of portals, the portal); every rule is checked on all of them before the
 * first write, so bad input and broken rules write nothing. Only a concurrent writer can make a
 * later step fail, and then the slug taken by the earlier step is released again.
 */

export interface DefaultPortal {
  portal: PortalView;
  /** The last position written for it (the portal stream's last when it existed). */
  position: bigint;
}

/**
 * The organization's first portal: named after it (`organizationName`, else its name as its
 * stream tells it), slug from the name (a short suffix when taken), self-registration off,
 * English. Idempotent: asking again (or concurrently) changes nothing and answers the portal.
 * Without `context`: by the system (an organization from before portals).
 */
export class EnsureDefaultPortal extends Command<DefaultPortal> {
  constructor(
    readonly organizationId: string,
    readonly context?: CommandContext,
    readonly organizationName?: string,
  ) {
    super();
  }
}

@CommandHandler(EnsureDefaultPortal)
export class EnsureDefaultPortalHandler implements ICommandHandler<EnsureDefaultPortal> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(command: EnsureDefaultPortal): Promise<DefaultPortal> {
    const { organizationId } = command;
    const portalId = defaultPortalId(organizationId);
    const existing = await portalStateOf(this.executor, organizationId, portalId);
    if (existing.exists) return { portal: toView(existing), position: await lastPosition(this.store, portalStream(portalId)) };
    const organizationName = command.organizationName ?? (await organizationNameOf(this.executor, organizationId));
    if (organizationName === null) throw portalNotFound();
    const name = organizationName.trim().slice(0, 200) || 'Client portal';
    const context: CommandContext = { ...(command.context ?? systemContext(organizationId)), organizationId };
    const candidates = slugCandidates(name, organizationId);
    const { slug, position: reserved } = await reserveFirstFree(this.commands, context, portalId, [...candidates, ...randomCandidates(candidates[0], 3)]);
    await this.executor.execute({
      streamName: organizationStream(organizationId),
      decider: organizationPortals,
      // The default portal is always allowed: every organization has at least this one.
      command: { type: 'AddPortal', portalId, maxPortals: Number.MAX_SAFE_INTEGER },
      context,
    });
    try {
      const created = await this.executor.execute({
        streamName: portalStream(portalId),
        decider: portal,
        command: { type: 'CreatePortal', portalId, organizationId, isDefault: true, name, slug, selfRegistration: false, defaultLanguage: 'en' },
        context,
      });
      return { portal: toView(created.state), position: max(reserved, created.position) };
    } catch (error) {
      // Created at the same time by another call: that one stands.
      if (error instanceof DomainError && error.code === 'portal-exists') return this.execute(command);
      throw error;
    }
  }
}

/** A portal of the caller's organization beside its default one; at most MAX_PORTALS. */
export class CreatePortal extends Command<WrittenPortal> {
  constructor(
    readonly context: CommandContext,
    readonly input: { name?: string; slug?: string; selfRegistration?: boolean; defaultLanguage?: string },
  ) {
    super();
  }
}

@CommandHandler(CreatePortal)
export class CreatePortalHandler implements ICommandHandler<CreatePortal> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, input }: CreatePortal): Promise<WrittenPortal> {
    const organizationId = context.organizationId;
    const organization = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    const organizationName = organization.state.name ?? (await organizationNameOf(this.executor, organizationId));
    if (organizationName === null) throw new DomainError('not-found', 'organization-not-found', 'No such organization.');
    // The default portal is the first one, also for organizations from before portals.
    if (!organization.state.portalIds.includes(defaultPortalId(organizationId))) {
      await this.commands.execute(new EnsureDefaultPortal(organizationId, context, organizationName));
    }

    const portalId = randomUUID();
    const name = input.name ?? organizationName;
    const candidates = input.slug !== undefined ? [input.slug] : slugCandidates(name, portalId);
    const settings = { name, slug: candidates[0], selfRegistration: input.selfRegistration ?? false, defaultLanguage: input.defaultLanguage ?? 'en' };
    // Every rule first, before anything is written: the values, the limit, the slug.
    assertValidPortalSettings(settings);
    const maxPortals = this.config.maxPortals;
    const current = await this.executor.load(organizationStream(organizationId), organizationPortals, organizationId);
    assertMayAddPortal(current.state, portalId, maxPortals);
    if (input.slug !== undefined && !(await slugAvailable(this.store, input.slug, organizationId, portalId))) throw slugTaken(input.slug);

    const { slug, position: reserved } = await reserveFirstFree(this.commands, context, portalId, candidates);
    try {
      await this.executor.execute({
        streamName: organizationStream(organizationId),
        decider: organizationPortals,
        command: { type: 'AddPortal', portalId, maxPortals },
        context,
      });
      const created = await this.executor.execute({
        streamName: portalStream(portalId),
        decider: portal,
        command: { type: 'CreatePortal', portalId, organizationId, isDefault: false, ...settings, slug },
        context,
      });
      return { ...toView(created.state), position: Number(max(reserved, created.position)) };
    } catch (error) {
      await this.commands.execute(new ReleasePortalSlug(context, slug, portalId));
      throw error;
    }
  }
}

/** Name, slug, self-registration, default language: what differs is written; a new slug is reserved first, the old one then released. */
export class UpdatePortal extends Command<WrittenPortal> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly changes: Partial<PortalSettings>,
  ) {
    super();
  }
}

@CommandHandler(UpdatePortal)
export class UpdatePortalHandler implements ICommandHandler<UpdatePortal> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ context, portalId, changes }: UpdatePortal): Promise<WrittenPortal> {
    const state = await portalStateOf(this.executor, context.organizationId, portalId);
    if (!state.exists) throw portalNotFound();
    const effective = assertMayUpdatePortal(state, changes);
    if (Object.keys(effective).length === 0) return { ...toView(state), position: Number(await lastPosition(this.store, portalStream(portalId))) };
    const newSlug = changes.slug !== undefined && changes.slug !== state.slug ? changes.slug : null;
    let reserved = 0n;
    if (newSlug) {
      if (!(await slugAvailable(this.store, newSlug, context.organizationId, portalId))) throw slugTaken(newSlug);
      reserved = await this.commands.execute(new ReservePortalSlug(context, newSlug, portalId));
    }
    let updated;
    try {
      updated = await this.executor.execute({ streamName: portalStream(portalId), decider: portal, command: { type: 'UpdatePortal', changes }, context });
    } catch (error) {
      if (newSlug) await this.commands.execute(new ReleasePortalSlug(context, newSlug, portalId));
      throw error;
    }
    let position = max(reserved, updated.position);
    // The old slug is free again (for this organization's portals) once the portal has moved on.
    if (newSlug) position = max(position, await this.commands.execute(new ReleasePortalSlug(context, state.slug, portalId)));
    return { ...toView(updated.state), position: Number(position) };
  }
}

/** Runs a command on an existing portal of the caller's organization (another's, or none: 404 portal-not-found). */
async function onPortal(executor: CommandExecutor, context: CommandContext, portalId: string, command: PortalCommand): Promise<WrittenPortal> {
  const state = await portalStateOf(executor, context.organizationId, portalId);
  if (!state.exists) throw portalNotFound();
  const result = await executor.execute({ streamName: portalStream(portalId), decider: portal, command, context });
  return { ...toView(result.state), position: Number(result.position) };
}

export class SaveInvitationTemplate extends Command<WrittenPortal> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly language: string,
    readonly subject: string,
    readonly body: string,
  ) {
    super();
  }
}

@CommandHandler(SaveInvitationTemplate)
export class SaveInvitationTemplateHandler implements ICommandHandler<SaveInvitationTemplate> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ context, portalId, language, subject, body }: SaveInvitationTemplate): Promise<WrittenPortal> {
    return onPortal(this.executor, context, portalId, { type: 'SaveInvitationTemplate', language, subject, body });
  }
}

export class RemoveInvitationTemplate extends Command<WrittenPortal> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly language: string,
  ) {
    super();
  }
}

@CommandHandler(RemoveInvitationTemplate)
export class RemoveInvitationTemplateHandler implements ICommandHandler<RemoveInvitationTemplate> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ context, portalId, language }: RemoveInvitationTemplate): Promise<WrittenPortal> {
    return onPortal(this.executor, context, portalId, { type: 'RemoveInvitationTemplate', language });
  }
}

/** A user type (its module permissions); at most MAX_USER_TYPES_PER_PORTAL per portal. */
export class DefineUserType extends Command<WrittenUserType> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly input: { name: string; modules: ModulesInput },
  ) {
    super();
  }
}

@CommandHandler(DefineUserType)
export class DefineUserTypeHandler implements ICommandHandler<DefineUserType> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, portalId, input }: DefineUserType): Promise<WrittenUserType> {
    const userTypeId = randomUUID();
    const { position, ...view } = await onPortal(this.executor, context, portalId, {
      type: 'DefineUserType',
      userTypeId,
      name: input.name,
      modules: input.modules,
      maxUserTypes: this.config.maxUserTypesPerPortal,
    });
    return { ...userTypeOf(view, userTypeId), portalId, position };
  }
}

/** Renames a user type or replaces its permissions. */
export class ChangeUserType extends Command<WrittenUserType> {
  constructor(
    readonly context: CommandContext,
    readonly portalId: string,
    readonly userTypeId: string,
    readonly input: { name?: string; modules?: ModulesInput },
  ) {
    super();
  }
}

@CommandHandler(ChangeUserType)
export class ChangeUserTypeHandler implements ICommandHandler<ChangeUserType> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, portalId, userTypeId, input }: ChangeUserType): Promise<WrittenUserType> {
    const { position, ...view } = await onPortal(this.executor, context, portalId, { type: 'ChangeUserType', userTypeId, name: input.name, modules: input.modules });
    return { ...userTypeOf(view, userTypeId), portalId, position };
  }
}

/** Takes a slug for a portal (`slug-taken` when another portal, or another organization, has it). Answers the position written. */
export class ReservePortalSlug extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly slug: string,
    readonly portalId: string,
  ) {
    super();
  }
}

@CommandHandler(ReservePortalSlug)
export class ReservePortalSlugHandler implements ICommandHandler<ReservePortalSlug> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, slug, portalId }: ReservePortalSlug): Promise<bigint> {
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
}

/** Gives a portal's slug back (nothing when the portal does not hold it). Answers the position written. */
export class ReleasePortalSlug extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly slug: string,
    readonly portalId: string,
  ) {
    super();
  }
}

@CommandHandler(ReleasePortalSlug)
export class ReleasePortalSlugHandler implements ICommandHandler<ReleasePortalSlug> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, slug, portalId }: ReleasePortalSlug): Promise<bigint> {
    const { position } = await this.executor.execute({ streamName: portalSlugStream(slug), decider: portalSlug, command: { type: 'ReleasePortalSlug', portalId }, context });
    return position;
  }
}

/** The first candidate slug that is free, reserved for the portal; the last refusal when none is. */
async function reserveFirstFree(commands: CommandBus, context: CommandContext, portalId: string, candidates: string[]): Promise<{ slug: string; position: bigint }> {
  let lastError: unknown;
  for (const slug of candidates) {
    try {
      return { slug, position: await commands.execute(new ReservePortalSlug(context, slug, portalId)) };
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'slug-taken')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

async function lastPosition(store: EventStore, streamName: string): Promise<bigint> {
  const { events } = await store.readStream(streamName);
  return events.length ? events[events.length - 1].position : 0n;
}

function systemContext(organizationId: string): CommandContext {
  return { organizationId, actor: { kind: 'system', id: 'portals' }, channel: 'system', correlationId: randomUUID() };
}

function randomCandidates(first: string, count: number): string[] {
  const stem = first.replace(/-[0-9a-f]{6}$/, '').slice(0, 52).replace(/-+$/, '') || 'portal';
  return Array.from({ length: count }, () => `${stem}-${randomBytes(5).toString('hex')}`);
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

export const PORTAL_COMMAND_HANDLERS = [
  EnsureDefaultPortalHandler,
  CreatePortalHandler,
  UpdatePortalHandler,
  SaveInvitationTemplateHandler,
  RemoveInvitationTemplateHandler,
  DefineUserTypeHandler,
  ChangeUserTypeHandler,
  ReservePortalSlugHandler,
  ReleasePortalSlugHandler,
];
