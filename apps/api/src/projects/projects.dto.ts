import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BILLING_METHODS, MAX_CLONE_TARGETS, PROJECT_NAME_MAX_LENGTH } from '@app/domain';
import { PageQuery, ReadQuery } from '../http/pagination';
import { ModulesDto, ModulesView } from '../portal-configuration/portals.dto';

/** How many projects one request may add a contact or a company to. */
export const MAX_PROJECTS_AT_ONCE = 50;
/** How many contacts a deal may bring. */
export const MAX_DEAL_CONTACTS = 100;

// Requests -----------------------------------------------------------------------------------

export class HourlyRateDto {
  @ApiProperty({ example: '45.50', description: 'A decimal string in the currency (as many fraction digits as it has)' })
  @IsString()
  @Matches(/^\d{1,15}(\.\d{1,4})?$/, { message: '$property must be a non-negative decimal number as a string, e.g. "45.50"' })
  amount!: string;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217' })
  @IsString()
  @Matches(/^[A-Za-z]{3}$/, { message: '$property must be an ISO 4217 code, e.g. EUR' })
  currency!: string;
}

export class CreateProjectDto {
  @ApiProperty({ example: 'Warehouse move 2026', maxLength: PROJECT_NAME_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PROJECT_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ enum: BILLING_METHODS, description: 'Hourly rates of client users apply only to projects billed by staff hours' })
  @IsIn(BILLING_METHODS)
  billingMethod!: (typeof BILLING_METHODS)[number];
}

/** Only the fields given change. Leaving staff-hours billing ends the project's own rates. */
export class UpdateProjectDto {
  @ApiPropertyOptional({ maxLength: PROJECT_NAME_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PROJECT_NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ enum: BILLING_METHODS })
  @IsOptional()
  @IsIn(BILLING_METHODS)
  billingMethod?: (typeof BILLING_METHODS)[number];
}

export class ListProjectsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['false', 'true'], default: 'false', description: 'Archived projects instead of the current ones' })
  @IsOptional()
  @IsIn(['false', 'true'])
  archived?: 'false' | 'true';

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the projects this client company is in' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class AddClientCompanyDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId!: string;

  @ApiPropertyOptional({ description: 'Make it the primary client. Omitted: the first company added becomes the primary client, later ones do not' })
  @IsOptional()
  @IsBoolean()
  primary?: boolean;
}

export class SetPrimaryClientDto {
  @ApiProperty({ format: 'uuid', description: 'A client company of the project' })
  @IsUUID()
  clientId!: string;
}

/** Where a contact without portal access is invited to (the organization's first portal when omitted), and as what. */
class InvitationTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Contacts without access to this portal (the organization's first when omitted) are invited to it" })
  @IsOptional()
  @IsUUID()
  portalId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The user type of those invited (none: view-only)' })
  @IsOptional()
  @IsUUID()
  userTypeId?: string;
}

export class AddClientUserDto extends InvitationTargetDto {
  @ApiProperty({ format: 'uuid', description: 'A contact of a client company of the project' })
  @IsUUID()
  contactId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Through which of its companies, when several are in the project (the first of them, primary first, when omitted)' })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ type: HourlyRateDto, nullable: true, description: 'Only for projects billed by staff hours (422 rate-not-applicable otherwise); omitted: the portal-level rate applies' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => HourlyRateDto)
  hourlyRate?: HourlyRateDto | null;
}

export class AddContactToProjectsDto extends InvitationTargetDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_PROJECTS_AT_ONCE })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_PROJECTS_AT_ONCE)
  @IsUUID('all', { each: true })
  projectIds!: string[];

  @ApiPropertyOptional({ type: HourlyRateDto, nullable: true, description: 'The same project rate in each (only projects billed by staff hours take one)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => HourlyRateDto)
  hourlyRate?: HourlyRateDto | null;
}

export class ChangeClientUserRateDto {
  @ApiProperty({ type: HourlyRateDto, nullable: true, description: "null: the project has no rate of its own for the user (its portal-level rate applies)" })
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => HourlyRateDto)
  hourlyRate!: HourlyRateDto | null;
}

export class RemoveClientUserDto {
  @ApiPropertyOptional({ default: false, description: 'Tell the person by email' })
  @IsOptional()
  @IsBoolean()
  notify?: boolean;
}

export class CustomizePermissionsDto {
  @ApiProperty({ type: ModulesDto, description: 'Every module and action left out is not allowed; create, edit, delete and approve need view' })
  @IsObject()
  @ValidateNested()
  @Type(() => ModulesDto)
  modules!: ModulesDto;
}

export class ClonePermissionsDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_CLONE_TARGETS, description: 'Other client users of the project' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_CLONE_TARGETS)
  @IsUUID('all', { each: true })
  contactIds!: string[];
}

export class PermissionsQuery extends ReadQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Whose user type applies: the contact's access to this portal (the organization's first when omitted)" })
  @IsOptional()
  @IsUUID()
  portalId?: string;
}

export class SetPortalRateDto {
  @ApiProperty({ type: HourlyRateDto, nullable: true, description: 'null: none' })
  @ValidateIf((_, v) => v !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => HourlyRateDto)
  hourlyRate!: HourlyRateDto | null;
}

export class DealCompanyDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing client company; or give its name' })
  @ValidateIf((o: DealCompanyDto) => o.clientId !== undefined || o.name === undefined)
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ example: 'Acme Logistics', maxLength: 200, description: 'Matched with the directory (case, accents and width ignored); registered when none matches' })
  @ValidateIf((o: DealCompanyDto) => o.name !== undefined || o.clientId === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 254 }) @IsOptional() @IsEmail() @MaxLength(254) email?: string;
  @ApiPropertyOptional({ maxLength: 2048 }) @IsOptional() @IsUrl({ require_protocol: false }) @MaxLength(2048) website?: string;
}

export class DealContactDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing contact; or give its name (and email)' })
  @ValidateIf((o: DealContactDto) => o.contactId !== undefined || o.name === undefined)
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({ example: 'Ana Souza', maxLength: 200 })
  @ValidateIf((o: DealContactDto) => o.name !== undefined || o.contactId === undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ description: 'Matched with the directory; a contact with this address is the same contact' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ maxLength: 40 }) @IsOptional() @IsString() @MaxLength(40) phone?: string;
}

export class DealDto extends InvitationTargetDto {
  @ApiProperty({ example: 'Acme – warehouse move', maxLength: PROJECT_NAME_MAX_LENGTH, description: 'The project: one named like it (not archived) is used, else it is created' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PROJECT_NAME_MAX_LENGTH)
  dealName!: string;

  @ApiPropertyOptional({ enum: BILLING_METHODS, default: 'none', description: 'For a project created now' })
  @IsOptional()
  @IsIn(BILLING_METHODS)
  billingMethod?: (typeof BILLING_METHODS)[number];

  @ApiProperty({ type: DealCompanyDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DealCompanyDto)
  company!: DealCompanyDto;

  @ApiProperty({ type: [DealContactDto], maxItems: MAX_DEAL_CONTACTS })
  @IsArray()
  @ArrayMaxSize(MAX_DEAL_CONTACTS)
  @ValidateNested({ each: true })
  @Type(() => DealContactDto)
  contacts!: DealContactDto[];
}

// Responses ----------------------------------------------------------------------------------

export class HourlyRateView {
  @ApiProperty({ example: '45.50' }) amount!: string;
  @ApiProperty({ example: 'EUR' }) currency!: string;
}

export class ProjectClientView {
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty() primary!: boolean;
}

export class ProjectClientUserView {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid', description: 'The company through which it is in the project' }) clientId!: string;
  @ApiProperty({ type: HourlyRateView, nullable: true, description: "The project's own rate; null: the portal-level rate applies" }) hourlyRate!: HourlyRateView | null;
  @ApiProperty({ description: 'Its permissions in the project are customized (else its user type’s apply)' }) customized!: boolean;
}

export class ProjectView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BILLING_METHODS }) billingMethod!: string;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ type: [ProjectClientView] }) clients!: ProjectClientView[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: none (its invoices cannot be shared until one is set)' }) primaryClientId!: string | null;
  @ApiProperty({ type: [ProjectClientUserView] }) clientUsers!: ProjectClientUserView[];
}

export class ProjectWritten extends ProjectView {
  @ApiProperty({ description: 'Global position written (pass as minPosition)' }) position!: number;
}

export class ProjectSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BILLING_METHODS }) billingMethod!: string;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) primaryClientId!: string | null;
  @ApiProperty() clientCount!: number;
  @ApiProperty() clientUserCount!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ProjectPage {
  @ApiProperty({ type: [ProjectSummaryView] }) items!: ProjectSummaryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ClientUserView extends ProjectClientUserView {
  @ApiProperty({ format: 'uuid' }) projectId!: string;
  @ApiProperty({ type: HourlyRateView, nullable: true, description: "The rate that applies: the project's own, else the portal-level one; null where the project does not bill by staff hours" })
  effectiveHourlyRate!: HourlyRateView | null;
  @ApiProperty({ enum: ['project', 'portal'], nullable: true, type: String }) rateSource!: 'project' | 'portal' | null;
}

export class InvitationOutcome {
  @ApiProperty({ enum: ['invited', 'has-access', 'no-email'], description: 'invited: it had no access to the portal and was invited (the email lists the projects)' })
  status!: 'invited' | 'has-access' | 'no-email';
  @ApiPropertyOptional({ format: 'uuid' }) portalId?: string;
  @ApiPropertyOptional() emailSent?: boolean;
}

export class ClientUserChanged extends ClientUserView {
  @ApiProperty({ description: 'Global position written (pass as minPosition)' }) position!: number;
}

export class ClientUserWritten extends ClientUserChanged {
  @ApiProperty({ type: InvitationOutcome }) invitation!: InvitationOutcome;
}

export class ClientUserRemoved extends ProjectWritten {
  @ApiPropertyOptional({ description: 'With notify: whether the email to the person was recorded (false: it has no address)' }) emailSent?: boolean;
}

export class ContactProjectsWritten {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ type: [ClientUserView] }) projects!: ClientUserView[];
  @ApiProperty({ type: InvitationOutcome }) invitation!: InvitationOutcome;
  @ApiProperty() position!: number;
}

export class PermissionSourceView {
  @ApiProperty({ enum: ['user-type', 'project'] }) kind!: 'user-type' | 'project';
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'kind user-type: the user type (null: none, view-only)' }) userTypeId?: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String, description: 'kind project: the user whose customization was cloned' }) clonedFrom?: string | null;
}

export class EffectivePermissionsView {
  @ApiProperty({ format: 'uuid' }) projectId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid', description: 'The portal whose user type applies' }) portalId!: string;
  @ApiProperty({ type: ModulesView }) modules!: ModulesView;
  @ApiProperty({ type: PermissionSourceView }) source!: PermissionSourceView;
}

export class PermissionsWritten extends EffectivePermissionsView {
  @ApiProperty() position!: number;
}

export class ClonedPermissionsView {
  @ApiProperty({ format: 'uuid' }) projectId!: string;
  @ApiProperty({ format: 'uuid' }) fromContactId!: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'The users who now have the customization (already having it counts)' }) contactIds!: string[];
  @ApiProperty() position!: number;
}

export class PortalRateWritten {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ type: HourlyRateView, nullable: true }) hourlyRate!: HourlyRateView | null;
  @ApiProperty() position!: number;
}

export class ContactProjectView {
  @ApiProperty({ format: 'uuid' }) projectId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ type: HourlyRateView, nullable: true }) hourlyRate!: HourlyRateView | null;
  @ApiProperty({ enum: ['user-type', 'project'] }) permissions!: 'user-type' | 'project';
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) clonedFrom!: string | null;
}

export class ContactProjectPage {
  @ApiProperty({ type: HourlyRateView, nullable: true, description: "The contact's portal-level rate" }) hourlyRate!: HourlyRateView | null;
  @ApiProperty({ type: [ContactProjectView] }) items!: ContactProjectView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PortalProjectView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BILLING_METHODS }) billingMethod!: string;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ format: 'uuid', description: 'The company through which the user is in it' }) clientId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) primaryClientId!: string | null;
  @ApiProperty({ type: HourlyRateView, nullable: true, description: 'The rate that applies to the user' }) hourlyRate!: HourlyRateView | null;
  @ApiProperty({ type: ModulesView, description: 'What the user may do with the project’s documents' }) modules!: ModulesView;
  @ApiProperty({ type: PermissionSourceView }) source!: PermissionSourceView;
}

export class PortalProjectPage {
  @ApiProperty({ type: [PortalProjectView] }) items!: PortalProjectView[];
  @ApiProperty({ nullable: true, type: String, description: 'Always null: every project of the user in one page' }) nextCursor!: string | null;
}

export class DealOutcomeView {
  @ApiProperty() projectCreated!: boolean;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty() clientRegistered!: boolean;
  @ApiProperty({ description: "Its company is the project's primary client" }) primary!: boolean;
  @ApiProperty({ type: [String], format: 'uuid' }) contactIds!: string[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'Contacts invited (they had no portal access)' }) invited!: string[];
}

export class DealConvertedView extends ProjectWritten {
  @ApiProperty({ type: DealOutcomeView }) deal!: DealOutcomeView;
}
