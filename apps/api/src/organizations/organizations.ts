import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { organization, organizationStream, OrganizationState } from '@app/domain';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { OPERATOR_ORGANIZATION_ID } from '../auth/api-keys';
import { StaffContext } from '../auth/principal';
import { CreateOrganization } from './organizations.commands';
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

/** The one way to read an organization: its own stream, folded (cached by the executor). */
export async function loadOrganization(executor: CommandExecutor, organizationId: string): Promise<OrganizationState> {
  return (await executor.load(organizationStream(organizationId), organization, organizationId)).state;
}

/** Organizations: the tenants. Their names and time zones come from their own streams (written by organizations.commands.ts). */
@Injectable()
export class Organizations {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(organizationId: string): Promise<OrganizationState> {
    const state = await loadOrganization(this.executor, organizationId);
    if (!state.exists && organizationId === OPERATOR_ORGANIZATION_ID) return { ...state, exists: true, organizationId, name: this.config.organizationName };
    return state;
  }
}

@ApiTags('organizations')
@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Staff('organizations:create')
  @ApiOperation({ summary: 'Create an organization and its first admin key (operator admins only)' })
  @ApiCreatedResponse({ type: CreatedOrganizationResponse })
  @Problems('name-required', 'unknown-time-zone')
  create(@StaffContext() context: CommandContext, @Body() body: CreateOrganizationDto): Promise<CreatedOrganizationResponse> {
    return this.commands.execute(new CreateOrganization(context, body));
  }
}
