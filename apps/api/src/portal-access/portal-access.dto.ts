import { EmailedTokenField, PasswordField } from '../http/fields';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQuery, ReadQuery } from '../http/pagination';
import { INVITATION_STATUSES, InvitationStatus } from './invitations';

/** Which portal: the organization's first when omitted (in the body or the query string). */
export class PortalTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: "The portal; the organization's first portal when omitted" })
  @IsOptional()
  @IsUUID()
  portalId?: string;
}

export class InviteContactDto extends PortalTargetDto {
  @ApiPropertyOptional({ format: 'uuid', description: "A user type of the portal: the user's module permissions (none: view-only)" })
  @IsOptional()
  @IsUUID()
  userTypeId?: string;

  @ApiPropertyOptional({ example: 'pt-BR', description: "The invitation's language (en, ja, pt-BR, fr built in); the portal's default when omitted" })
  @IsOptional()
  @IsString()
  @MaxLength(35)
  language?: string;
}

export class ChangePortalUserTypeDto extends PortalTargetDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: no user type (view-only on every module)' })
  @ValidateIf((_, value) => value !== null)
  @IsUUID()
  userTypeId!: string | null;
}

export class DisablePortalAccessDto extends PortalTargetDto {
  @ApiPropertyOptional({ example: 'Left the company', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RevokePortalAccessDto extends PortalTargetDto {
  @ApiPropertyOptional({ example: 'Contract ended', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ description: 'Email the person that its access was removed', default: false })
  @IsOptional()
  @IsBoolean()
  notify?: boolean;
}

export class AcceptInvitationDto {
  @EmailedTokenField('The token from the invitation email link')
  token!: string;

  @PasswordField()
  password!: string;
}

export class InvitationTokenDto {
  @EmailedTokenField('The token from the invitation email link')
  token!: string;
}

export class InvitationDescriptionResponse {
  @ApiProperty({ enum: INVITATION_STATUSES, description: 'valid: it can be accepted now; otherwise why not (ask for a new invitation)' })
  status!: InvitationStatus;
  @ApiProperty({ description: 'Who invited the person' }) organizationName!: string;
  @ApiProperty() portalId!: string;
  @ApiProperty() portalName!: string;
  @ApiProperty() contactName!: string;
  @ApiProperty({ description: 'The username the person will sign in with' }) email!: string;
  @ApiProperty({ example: 'pt-BR', description: "The invitation's language, else the person's preference, else the portal's default" })
  language!: string;
  @ApiProperty() expiresAt!: string;
}

export const PORTAL_ACCESS_STATUSES = ['Invited', 'Active', 'Disabled', 'Revoked'] as const;

export class PortalAccessQuery extends ReadQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "The portal; the organization's first portal when omitted" })
  @IsOptional()
  @IsUUID()
  portalId?: string;
}

export class ListPortalAccessQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the accesses to this portal' })
  @IsOptional()
  @IsUUID()
  portalId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ enum: PORTAL_ACCESS_STATUSES })
  @IsOptional()
  @IsIn(PORTAL_ACCESS_STATUSES)
  status?: (typeof PORTAL_ACCESS_STATUSES)[number];
}

export class PortalAccessStatusResponse {
  @ApiProperty({ enum: PORTAL_ACCESS_STATUSES })
  status!: string;

  @ApiProperty()
  position!: number;

  @ApiProperty({ format: 'uuid' })
  accessId!: string;

  @ApiProperty({ format: 'uuid' })
  contactId!: string;

  @ApiProperty({ format: 'uuid' })
  portalId!: string;
}

export class PortalAccessView {
  @ApiProperty({ format: 'uuid' }) accessId!: string;
  @ApiProperty() portalId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userTypeId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The language of the invitation, when one was chosen' }) language!: string | null;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid', description: 'The first of clientIds: the contact’s primary company, unless archived' }) clientId!: string;
  @ApiProperty({
    type: [String],
    description: 'The companies the access acts for, as last recorded (primary first): each change of the contact’s companies is a PortalAccessCompaniesChanged event',
  })
  clientIds!: string[];
  /** Null once the contact was erased (the schema says string: kept as published). */
  @ApiProperty({ nullable: true, type: String, description: 'null once the person was erased' }) email!: string | null;
  @ApiProperty({ enum: PORTAL_ACCESS_STATUSES }) status!: string;
  @ApiProperty() invitedAt!: string;
  @ApiProperty() lastInvitedAt!: string;
  @ApiProperty() invitationCount!: number;
  @ApiProperty({ nullable: true, type: String }) invitationExpiresAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) acceptedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) disabledAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) disabledReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) enabledAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedReason!: string | null;
  @ApiProperty({ nullable: true, type: String }) passwordChangedAt!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class PortalAccessPage {
  @ApiProperty({ type: [PortalAccessView] }) items!: PortalAccessView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class BulkInviteDto extends InviteContactDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Invite the primary contact of each company (the first contact added with it as primary)', maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  clientIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Invite each of these contacts', maxItems: 1000 })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  contactIds?: string[];
}

export class BulkInvitedView {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid' }) accessId!: string;
  @ApiProperty() position!: number;
}

export class BulkSkippedView {
  @ApiProperty({ format: 'uuid', description: 'The clientId or contactId given' }) id!: string;
  @ApiProperty({ example: 'contact-has-no-email', description: 'already-invited, contact-has-no-email, contact-not-found, client-not-found, client-archived, client-has-no-contacts, portal-access-disabled, portal-user-limit-reached, ...' })
  reason!: string;
  @ApiProperty() detail!: string;
}

export class BulkInviteResponse {
  @ApiProperty({ type: [BulkInvitedView] }) invited!: BulkInvitedView[];
  @ApiProperty({ type: [BulkSkippedView] }) skipped!: BulkSkippedView[];
  @ApiProperty({ description: 'The last position written (0 when nothing was)' }) position!: number;
}
