import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { organization, OrganizationSettings, organizationStream } from '@app/domain';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG } from '../infrastructure/tokens';
import { OPERATOR_ORGANIZATION_ID } from '../auth/api-keys';
import { IssueApiKey } from '../auth/api-keys.commands';
import { EnsureDefaultPortal } from '../portal-configuration/portals.commands';
import type { CreatedOrganizationResponse, CreateOrganizationDto } from './organizations';

/** A new tenant (by the operator's admins): its stream, its first portal, its first admin key. */
export class CreateOrganization extends Command<CreatedOrganizationResponse> {
  constructor(
    readonly context: CommandContext,
    readonly input: CreateOrganizationDto,
  ) {
    super();
  }
}

@CommandHandler(CreateOrganization)
export class CreateOrganizationHandler implements ICommandHandler<CreateOrganization> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
  ) {}

  async execute({ context, input }: CreateOrganization): Promise<CreatedOrganizationResponse> {
    const organizationId = randomUUID();
    // The new organization's history starts with its creation, by the operator's key.
    const inNew: CommandContext = { ...context, organizationId, idempotencyKey: undefined };
    const created = await this.executor.execute({
      streamName: organizationStream(organizationId),
      decider: organization,
      command: { type: 'CreateOrganization', organizationId, name: input.name, timeZone: input.timeZone },
      context: inNew,
    });
    // Every organization has a first portal, created with it.
    await this.commands.execute(new EnsureDefaultPortal(organizationId, inNew, created.state.name ?? input.name));
    const key = await this.commands.execute(new IssueApiKey(inNew, 'Initial admin key', 'admin'));
    return { id: organizationId, adminKey: key.key, adminKeyId: key.id, position: key.position };
  }
}

/** At first start: the operator organization, named by ORGANIZATION_NAME, and its default portal (also for a data directory from before portals). */
export class EnsureOperatorOrganization extends Command<void> {}

@CommandHandler(EnsureOperatorOrganization)
export class EnsureOperatorOrganizationHandler implements ICommandHandler<EnsureOperatorOrganization> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(): Promise<void> {
    const { state } = await this.executor.load(organizationStream(OPERATOR_ORGANIZATION_ID), organization, OPERATOR_ORGANIZATION_ID);
    const context: CommandContext = { organizationId: OPERATOR_ORGANIZATION_ID, actor: { kind: 'system', id: 'bootstrap' }, channel: 'system', correlationId: randomUUID() };
    let name = state.name ?? this.config.organizationName;
    if (!state.exists) {
      const created = await this.executor.execute({
        streamName: organizationStream(OPERATOR_ORGANIZATION_ID),
        decider: organization,
        command: { type: 'CreateOrganization', organizationId: OPERATOR_ORGANIZATION_ID, name: this.config.organizationName, timeZone: 'UTC' },
        context,
      });
      name = created.state.name ?? name;
    }
    // Idempotent.
    await this.commands.execute(new EnsureDefaultPortal(OPERATOR_ORGANIZATION_ID, context, name));
  }
}

/** The caller's organization's settings (admins only): what changed is written; answers the settings now. */
export class ChangeOrganizationSettings extends Command<{ settings: OrganizationSettings; position: number }> {
  constructor(
    readonly context: CommandContext,
    readonly changes: Partial<OrganizationSettings>,
  ) {
    super();
  }
}

@CommandHandler(ChangeOrganizationSettings)
export class ChangeOrganizationSettingsHandler implements ICommandHandler<ChangeOrganizationSettings> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, changes }: ChangeOrganizationSettings): Promise<{ settings: OrganizationSettings; position: number }> {
    const { state, position } = await this.executor.execute({
      streamName: organizationStream(context.organizationId),
      decider: organization,
      command: { type: 'ChangeOrganizationSettings', changes },
      context,
    });
    return { settings: state.settings, position: Number(position) };
  }
}

export const ORGANIZATION_COMMAND_HANDLERS = [CreateOrganizationHandler, EnsureOperatorOrganizationHandler, ChangeOrganizationSettingsHandler];
