import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsString, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../http/pagination';

/** May be left out, but not sent as null. */
const IsOptional = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

export const REGISTRATION_STATUSES = ['Pending', 'Approved', 'Rejected'] as const;

export class RegistrationRequestDto {
  @ApiProperty({ example: 'acme-clients', maxLength: 63, description: 'The URL slug of the portal the person asks to join' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(63)
  portalSlug!: string;

  @ApiProperty({ example: 'ana@acme.example', maxLength: 254 })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Ana Souza', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'Acme Logistics', maxLength: 200, description: 'The company the person works for (becomes a client company on approval)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  companyName!: string;
}

export class ListRegistrationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: REGISTRATION_STATUSES })
  @IsIn(REGISTRATION_STATUSES)
  @IsOptional()
  status?: (typeof REGISTRATION_STATUSES)[number];
}

export class ApproveRegistrationDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An existing client company of the organization to add the person to; omitted: a company named companyName is created' })
  @IsOptional()
  @IsUUID()
  clientId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A user type of the registration's portal: the permissions the person gets" })
  @IsOptional()
  @IsUUID()
  userTypeId?: string;
}

export class RejectRegistrationDto {
  @ApiPropertyOptional({ example: 'Not a client of ours', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

// Responses -----------------------------------------------------------------------------------

export class RegistrationReceivedResponse {}

export class RegistrationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) portalId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty() companyName!: string;
  @ApiProperty({ enum: REGISTRATION_STATUSES }) status!: string;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ nullable: true, type: String }) decidedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was rejected' }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The client company made or chosen on approval' }) clientId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The contact added on approval' }) contactId!: string | null;
}

export class RegistrationPage {
  @ApiProperty({ type: [RegistrationView] }) items!: RegistrationView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ApprovedRegistrationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['Approved'] }) status!: 'Approved';
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ description: 'Global position written' }) position!: number;
}

export class RejectedRegistrationResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['Rejected'] }) status!: 'Rejected';
  @ApiProperty({ description: 'Global position written' }) position!: number;
}
