import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { organization, organizationStream, OrganizationState } from '@app/domain';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { ApiKeys, OPERATOR_ORGANIZATION_ID } from '../auth/api-keys';
import { StaffContext } from '../auth/principal';
import { EnsureDefaultPortal } from '../portals/portals.commands';
import { Problems } from '../http/problem-catalog';

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Tokyo Staffing KK', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'Asia/Tokyo', description: 'IANA time zone; the default for its portal users. UTC when omitted.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;
}

export class CreatedOrganizationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The new organization’s first admin key. Shown once.' }) adminKey!: string;
  @ApiProperty({ format: 'uuid' }) adminKeyId!: string;
  @ApiProperty() position!: number;
}

/** Organizations: the tenants. Their names and time zones come from their own streams. */
@Injectable()
export class Organizations {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly apiKeys: ApiKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
  ) {}

  async create(context: CommandContext, input: CreateOrganizationDto): Promise<CreatedOrganizationResponse> {
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
    const key = await this.apiKeys.issue(inNew, 'Initial admin key', 'admin');
    return { id: organizationId, adminKey: key.key, adminKeyId: key.id, position: key.position };
  }

  async get(organizationId: string): Promise<OrganizationState> {
    const { state } = await this.executor.load(organizationStream(organizationId), organization, organizationId);
    if (!state.exists && organizationId === OPERATOR_ORGANIZATION_ID) return { ...state, exists: true, organizationId, name: this.config.organizationName };
    return state;
  }

  /** At first start: the operator organization, named by ORGANIZATION_NAME. */
  async ensureOperatorOrganization(): Promise<void> {
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
    // Also for a data directory from before portals: idempotent.
    await this.commands.execute(new EnsureDefaultPortal(OPERATOR_ORGANIZATION_ID, context, name));
  }
}

@ApiTags('organizations')
@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: Organizations) {}

  @Post()
  @HttpCode(201)
  @Staff('organizations:create')
  @ApiOperation({ summary: 'Create an organization and its first admin key (operator admins only)' })
  @ApiCreatedResponse({ type: CreatedOrganizationResponse })
  @Problems('name-required', 'unknown-time-zone')
  create(@StaffContext() context: CommandContext, @Body() body: CreateOrganizationDto): Promise<CreatedOrganizationResponse> {
    return this.organizations.create(context, body);
  }
}
