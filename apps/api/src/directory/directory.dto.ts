import { WrittenResponse } from '../http/responses';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

/** Digits with the usual separators, an optional leading +: what people type, not letters. */
export const PHONE = /^\+?[0-9][0-9 ().\-]{2,38}$/;
export const PHONE_MESSAGE = 'phone must be digits, optionally with +, spaces, dots, dashes and parentheses';

export class PostalAddressDto {
  @ApiPropertyOptional({ example: 'Av. Paulista, 1000' }) @IsOptional() @IsString() @MaxLength(200) line1?: string;
  @ApiPropertyOptional({ example: 'Sala 42' }) @IsOptional() @IsString() @MaxLength(200) line2?: string;
  @ApiPropertyOptional({ example: 'São Paulo' }) @IsOptional() @IsString() @MaxLength(100) city?: string;
  @ApiPropertyOptional({ example: '01310-100' }) @IsOptional() @IsString() @MaxLength(20) postalCode?: string;
  @ApiPropertyOptional({ example: 'SP' }) @IsOptional() @IsString() @MaxLength(100) region?: string;
  @ApiPropertyOptional({ example: 'BR', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be a two-letter ISO 3166 code' })
  country?: string;
}

export class RegisterClientCompanyDto {
  @ApiProperty({ example: 'Acme Logistics', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'office@acme.example' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'https://acme.example' })
  @IsOptional()
  @IsUrl({ require_protocol: false })
  @MaxLength(2048)
  website?: string;

  @ApiPropertyOptional({ type: PostalAddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PostalAddressDto)
  address?: PostalAddressDto;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 50,
    description: 'Projects the company joins at once (as the primary client of a project that has no company yet); each is checked before anything is written',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  projectIds?: string[];
}

/** Only the fields given change; null clears an optional one. */
export class UpdateClientCompanyDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUrl({ require_protocol: false })
  @MaxLength(2048)
  website?: string | null;

  @ApiPropertyOptional({ type: PostalAddressDto, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @ValidateNested()
  @Type(() => PostalAddressDto)
  address?: PostalAddressDto | null;
}

export class AddContactDto {
  @ApiProperty({ example: 'Ana Souza', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'ana@acme.example', description: 'Needed before the contact can be invited.' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+55 11 5555-0100' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(40)
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;
}

export class ClientReferenceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  clientId!: string;
}

export class DissociateQuery {
  @ApiPropertyOptional({ enum: ['keep', 'move'], default: 'keep', description: "The documents the contact created for that company: keep them with it, or move them to the contact's primary company" })
  @IsOptional()
  @IsIn(['keep', 'move'])
  documents?: 'keep' | 'move';
}

export class DissociatedResponse extends WrittenResponse {
  @ApiProperty({ description: "documents=move: documents of that company whose contact this is, moved to the contact's primary company (DocumentMovedToClient each); keep: 0" })
  documentsMoved!: number;

  @ApiProperty({ description: 'Documents that could not be moved (logged); dissociating again with documents=move retries them' })
  documentsNotMoved!: number;
}

export class ArchivedResponse extends WrittenResponse {
  @ApiProperty({ description: 'Portal accesses revoked: their contact belonged to no other company that is not archived (PortalAccessRevoked each)' })
  revokedAccesses!: number;

  @ApiProperty({ description: 'Portal accesses of contacts that belong to other companies too: they keep access, for those companies only (PortalAccessCompaniesChanged each)' })
  changedAccesses!: number;
}

