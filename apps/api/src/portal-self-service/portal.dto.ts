import { EmailedTokenField, PasswordField } from '../http/fields';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, Length, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { TIME_FORMATS } from '@app/domain';
import { PHONE, PHONE_MESSAGE } from '../directory/directory.dto';

export class SignInDto {
  @ApiProperty({ example: 'ana@acme.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiPropertyOptional({ description: 'Sign in to this portal when the email has access to several' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  portalId?: string;
}

export class SessionResponse {
  @ApiProperty({ description: 'Bearer token for /v1/portal/... routes' }) token!: string;
  @ApiProperty() expiresAt!: string;
}

export class SignedOutEverywhereResponse {
  @ApiProperty({ description: 'Global position of the PortalSessionsEnded event' }) position!: number;
}

export class PasswordResetDto {
  @ApiProperty({ example: 'ana@acme.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

/** The same answer whether or not the email has an account. */
export class PasswordResetRequestedResponse {}

export class PasswordResetConfirmDto {
  @EmailedTokenField('The token from the password reset email')
  token!: string;

  @PasswordField()
  password!: string;
}

export class PasswordResetTokenDto {
  @EmailedTokenField('The token from the password reset email')
  token!: string;
}

export const PASSWORD_RESET_STATUSES = ['valid', 'used', 'superseded', 'expired', 'access-not-active'] as const;

export class PasswordResetDescription {
  @ApiProperty({ enum: PASSWORD_RESET_STATUSES, description: 'valid: a new password can be set now; otherwise why not (ask for a new link)' })
  status!: (typeof PASSWORD_RESET_STATUSES)[number];
  @ApiProperty() organizationName!: string;
  @ApiProperty() portalId!: string;
  @ApiProperty({ description: 'The username whose password it resets' }) email!: string;
  @ApiProperty({ nullable: true, type: String, description: "The person's language preference, else its invitation's language; null: neither is known" })
  language!: string | null;
  @ApiProperty() expiresAt!: string;
}

export class PasswordResetResponse {
  @ApiProperty({ enum: ['Active'], description: 'The access signs in with the new password; its earlier sessions ended' }) status!: string;
  @ApiProperty({ description: 'Global position written; pass it as minPosition to read your write.' }) position!: number;
}

/** Each field optional; null puts it back to the default. Values are checked by the domain. */
export class PreferencesDto {
  @ApiPropertyOptional({ example: 'pt-BR', nullable: true, description: 'BCP 47 language tag' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(35)
  language?: string | null;

  @ApiPropertyOptional({ enum: TIME_FORMATS, nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsIn(TIME_FORMATS)
  timeFormat?: (typeof TIME_FORMATS)[number] | null;

  @ApiPropertyOptional({ example: 'America/Sao_Paulo', nullable: true, description: 'IANA time zone' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(64)
  timeZone?: string | null;

  @ApiPropertyOptional({ example: 'BR', nullable: true, description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(2)
  country?: string | null;
}

export class MeResponse {
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid', description: 'The company new documents are filed under: the primary company, unless it is archived.' })
  clientId!: string;
  @ApiProperty({
    type: [String],
    description: 'Every company the contact belongs to now (primary first, archived ones left out): the user sees the documents of each, within the organization’s visibility setting.',
  })
  clientIds!: string[];
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ example: { language: 'en', timeFormat: '24h', timeZone: 'UTC', country: null } })
  preferences!: { language: string; timeFormat: string; timeZone: string; country: string | null };
  @ApiPropertyOptional() position?: number;
}

/** What a portal user may change of its own contact details (its email is its username: staff change it). */
export class MyDetailsDto {
  @ApiPropertyOptional({ example: 'Ana Souza', maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: '+55 11 91234-5678', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(40)
  @Matches(PHONE, { message: PHONE_MESSAGE })
  phone?: string | null;
}
