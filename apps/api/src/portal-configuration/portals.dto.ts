import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsNotEmpty, IsObject, IsString, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { TEMPLATE_BODY_MAX_LENGTH, TEMPLATE_PLACEHOLDERS, TEMPLATE_SUBJECT_MAX_LENGTH } from '@app/domain';
import { PageQuery, ReadQuery } from '../http/pagination';

/** May be left out, but not sent as null: every field here has a value when given. */
const IsOptional = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

export class CreatePortalDto {
  @ApiPropertyOptional({ example: 'Acme client portal', maxLength: 200, description: "The organization's name when omitted" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    example: 'acme-clients',
    description: 'Lower-case a-z, 0-9 and single hyphens, 3-63 characters, unique across the service; made from the name when omitted',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  slug?: string;

  @ApiPropertyOptional({ default: false, description: 'Whether people may ask for access themselves (staff approve)' })
  @IsOptional()
  @IsBoolean()
  selfRegistration?: boolean;

  @ApiPropertyOptional({ example: 'en', default: 'en', description: 'BCP 47 language tag: the fallback for invitation templates' })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  defaultLanguage?: string;
}

/** Only the fields given change. */
export class UpdatePortalDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'acme-clients' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  slug?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  selfRegistration?: boolean;

  @ApiPropertyOptional({ example: 'pt-BR' })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  defaultLanguage?: string;
}

export class InvitationTemplateDto {
  @ApiProperty({ example: 'Your invitation to {{organizationName}}', maxLength: TEMPLATE_SUBJECT_MAX_LENGTH })
  @IsString()
  @MaxLength(TEMPLATE_SUBJECT_MAX_LENGTH)
  subject!: string;

  @ApiProperty({
    example: 'Hello {{contactName}},\n\nOpen {{acceptUrl}} to choose your password. Your username is {{username}}.',
    maxLength: TEMPLATE_BODY_MAX_LENGTH,
    description: `Placeholders: ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}; {{acceptUrl}} is required. Others are refused (422 unknown-placeholder).`,
  })
  @IsString()
  @MaxLength(TEMPLATE_BODY_MAX_LENGTH)
  body!: string;
}

export class PermissionsDto {
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() view?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() create?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() edit?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() delete?: boolean;
  @ApiPropertyOptional({ default: false, description: 'approve/reject timesheets, accept/decline quotes, pay invoices' })
  @IsOptional()
  @IsBoolean()
  approve?: boolean;
}

/** A module left out has no permission; so has an action left out. */
export class ModulesDto {
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) shifts?: PermissionsDto;
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) timesheets?: PermissionsDto;
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) quotes?: PermissionsDto;
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) invoices?: PermissionsDto;
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) projects?: PermissionsDto;
  @ApiPropertyOptional({ type: PermissionsDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => PermissionsDto) documents?: PermissionsDto;
}

export class DefineUserTypeDto {
  @ApiProperty({ example: 'Timesheet approver', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ type: ModulesDto, example: { timesheets: { view: true, create: true, edit: true, delete: false }, documents: { view: true } } })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ModulesDto)
  modules!: ModulesDto;
}

export class ChangeUserTypeDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ type: ModulesDto, description: 'Replaces every permission of the user type' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ModulesDto)
  modules?: ModulesDto;
}

export class PreviewQuery extends ReadQuery {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  userTypeId!: string;
}

export class ListPortalsQuery extends PageQuery {}

// Responses -----------------------------------------------------------------------------------

export class PermissionsView {
  @ApiProperty() view!: boolean;
  @ApiProperty() create!: boolean;
  @ApiProperty() edit!: boolean;
  @ApiProperty() delete!: boolean;
  @ApiProperty() approve!: boolean;
}

export class ModulesView {
  @ApiProperty({ type: PermissionsView }) shifts!: PermissionsView;
  @ApiProperty({ type: PermissionsView }) timesheets!: PermissionsView;
  @ApiProperty({ type: PermissionsView }) quotes!: PermissionsView;
  @ApiProperty({ type: PermissionsView }) invoices!: PermissionsView;
  @ApiProperty({ type: PermissionsView }) projects!: PermissionsView;
  @ApiProperty({ type: PermissionsView }) documents!: PermissionsView;
}

export class UserTypeResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) portalId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: ModulesView }) modules!: ModulesView;
  @ApiProperty({ description: 'Global position written (or the latest of the stream when nothing changed)' }) position!: number;
}

export class TemplateView {
  @ApiProperty() subject!: string;
  @ApiProperty() body!: string;
}

export class UserTypeSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: ModulesView }) modules!: ModulesView;
}

export class PortalResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() selfRegistration!: boolean;
  @ApiProperty() defaultLanguage!: string;
  @ApiProperty({ description: "The organization's first portal" }) isDefault!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { subject: { type: 'string' }, body: { type: 'string' } } },
    description: 'Invitation templates by language',
  })
  templates!: Record<string, TemplateView>;
  @ApiProperty({ type: [UserTypeSummary] }) userTypes!: UserTypeSummary[];
}

export class WrittenPortalResponse extends PortalResponse {
  @ApiProperty({ description: 'Global position written (or the latest of the stream when nothing changed)' }) position!: number;
}

export class PortalListItem {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() selfRegistration!: boolean;
  @ApiProperty() defaultLanguage!: string;
  @ApiProperty() isDefault!: boolean;
  @ApiProperty({ type: [String], example: ['en', 'pt-BR'] }) templateLanguages!: string[];
  @ApiProperty({ type: [UserTypeSummary] }) userTypes!: UserTypeSummary[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class PortalPage {
  @ApiProperty({ type: [PortalListItem] }) items!: PortalListItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class PreviewModule {
  @ApiProperty({ enum: ['profile', 'shifts', 'timesheets', 'quotes', 'invoices', 'projects', 'documents'] }) module!: string;
  @ApiProperty({ enum: ['view', 'create', 'edit', 'delete', 'approve'], isArray: true }) actions!: string[];
}

export class PreviewUserType {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

export class PortalPreviewResponse {
  @ApiProperty({ format: 'uuid' }) portalId!: string;
  @ApiProperty({ type: PreviewUserType }) userType!: PreviewUserType;
  @ApiProperty({ type: [PreviewModule], description: 'The modules with at least one allowed action, and the profile every user has' })
  modules!: PreviewModule[];
}
