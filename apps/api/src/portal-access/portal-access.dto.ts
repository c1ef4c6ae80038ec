import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../http/pagination';

export class DisablePortalAccessDto {
  @ApiPropertyOptional({ example: 'Left the company', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RevokePortalAccessDto {
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
  @ApiProperty({ description: 'The token from the invitation email link' })
  @IsString()
  @Length(1, 200)
  token!: string;

  @ApiProperty({ minLength: 10, maxLength: 1024 })
  @IsString()
  @MinLength(10, { message: 'password must be at least 10 characters long' })
  @MaxLength(1024)
  password!: string;
}

export const PORTAL_ACCESS_STATUSES = ['Invited', 'Active', 'Disabled', 'Revoked'] as const;

export class ListPortalAccessQuery extends PageQuery {
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
}

export class PortalAccessView {
  @ApiProperty({ format: 'uuid' }) accessId!: string;
  @ApiProperty() portalId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty() email!: string;
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
