import { Body, Controller, Get, Module, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, MaxLength } from 'class-validator';
import { DomainError, organization, OrganizationSettings, organizationStream, PortalDocumentVisibility } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { ReadQuery } from '../http/pagination';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { Organizations } from './organizations';
import { Problems } from '../http/problem-catalog';

export class ChangeOrganizationSettingsDto {
  @ApiPropertyOptional({ enum: ['company', 'own'], description: 'Portal users see the documents of every contact of their company, or only their own' })
  @IsOptional()
  @IsIn(['company', 'own'])
  portalDocumentVisibility?: PortalDocumentVisibility;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'office@agency.example', description: 'Where notifications of client actions are emailed; null turns the email off' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  notificationEmail?: string | null;
}

export class OrganizationSettingsView {
  @ApiProperty({ enum: ['company', 'own'] }) portalDocumentVisibility!: PortalDocumentVisibility;
  @ApiProperty({ type: String, nullable: true }) notificationEmail!: string | null;
}

export class OrganizationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'Asia/Tokyo' }) timeZone!: string;
  @ApiProperty({ type: OrganizationSettingsView }) settings!: OrganizationSettingsView;
}

export class SettingsChangedResponse {
  @ApiProperty({ type: OrganizationSettingsView }) settings!: OrganizationSettingsView;
  @ApiProperty({ description: 'Global position written (the current one when nothing changed)' }) position!: number;
}

function settingsView(settings: OrganizationSettings): OrganizationSettingsView {
  return { portalDocumentVisibility: settings.portalDocumentVisibility, notificationEmail: settings.notificationEmail ?? null };
}

/** The caller's own organization and its settings (issue 4): read from its stream, changed by an event. */
@ApiTags('organizations')
@Controller('v1/organization')
export class OrganizationSettingsController {
  constructor(
    private readonly organizations: Organizations,
    private readonly executor: CommandExecutor,
  ) {}

  @Get()
  @Staff('read-models:read')
  @ApiOperation({ summary: "The caller's organization: name, time zone and settings" })
  @ApiOkResponse({ type: OrganizationView })
  @Problems('organization-not-found')
  async get(@CurrentStaff() principal: StaffPrincipal, @Query() _query: ReadQuery): Promise<OrganizationView> {
    const state = await this.organizations.get(principal.organizationId);
    if (!state.exists) throw new DomainError('not-found', 'organization-not-found', 'No such organization.');
    return { id: principal.organizationId, name: state.name!, timeZone: state.timeZone, settings: settingsView(state.settings) };
  }

  @Patch('settings')
  @Staff('organization:manage')
  @ApiOperation({ summary: 'Change the organization settings (ChangeOrganizationSettings): document visibility, notification email (admins only)' })
  @ApiOkResponse({ type: SettingsChangedResponse })
  @Problems('organization-not-found', 'invalid-setting')
  async change(@StaffContext() context: CommandContext, @Body() body: ChangeOrganizationSettingsDto): Promise<SettingsChangedResponse> {
    const changes: Partial<OrganizationSettings> = {};
    if (body.portalDocumentVisibility !== undefined) changes.portalDocumentVisibility = body.portalDocumentVisibility;
    if (body.notificationEmail !== undefined) changes.notificationEmail = body.notificationEmail;
    const { state, position } = await this.executor.execute({
      streamName: organizationStream(context.organizationId),
      decider: organization,
      command: { type: 'ChangeOrganizationSettings', changes },
      context,
    });
    return { settings: settingsView(state.settings), position: Number(position) };
  }
}

@Module({ controllers: [OrganizationSettingsController] })
export class OrganizationSettingsModule {}
