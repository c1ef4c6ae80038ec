import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError, OrganizationSettings, PortalDocumentVisibility } from '@app/domain';
import { ReadQuery } from '../http/pagination';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { Organizations } from './organizations';
import { ChangeOrganizationSettings } from './organizations.commands';
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

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ja', description: 'The language of those emails (built-in: en, ja, pt-BR, fr; others fall back to English); null: English' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(35)
  notificationLanguage?: string | null;
}

export class OrganizationSettingsView {
  @ApiProperty({ enum: ['company', 'own'] }) portalDocumentVisibility!: PortalDocumentVisibility;
  @ApiProperty({ type: String, nullable: true }) notificationEmail!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'null: English' }) notificationLanguage!: string | null;
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
  return { portalDocumentVisibility: settings.portalDocumentVisibility, notificationEmail: settings.notificationEmail ?? null, notificationLanguage: settings.notificationLanguage ?? null };
}

/** The caller's own organization and its settings: read from its stream, changed by an event. */
@ApiTags('organizations')
@Controller('v1/organization')
export class OrganizationSettingsController {
  constructor(
    private readonly organizations: Organizations,
    private readonly commands: CommandBus,
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
  @ApiOperation({ summary: 'Change the organization settings (ChangeOrganizationSettings): document visibility, notification email and its language (admins only)' })
  @ApiOkResponse({ type: SettingsChangedResponse })
  @Problems('organization-not-found', 'invalid-setting')
  async change(@StaffContext() context: CommandContext, @Body() body: ChangeOrganizationSettingsDto): Promise<SettingsChangedResponse> {
    const changes: Partial<OrganizationSettings> = {};
    if (body.portalDocumentVisibility !== undefined) changes.portalDocumentVisibility = body.portalDocumentVisibility;
    if (body.notificationEmail !== undefined) changes.notificationEmail = body.notificationEmail;
    if (body.notificationLanguage !== undefined) changes.notificationLanguage = body.notificationLanguage;
    const { settings, position } = await this.commands.execute(new ChangeOrganizationSettings(context, changes));
    return { settings: settingsView(settings), position };
  }
}
