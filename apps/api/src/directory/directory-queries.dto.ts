import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../http/pagination';

const SEARCH_DESCRIPTION =
  'Search by name: matches when any word of the name (or the whole name) starts with the query, ' +
  'ignoring case, accents (São = sao, Hélène = helene), full-width forms (ＡＢＣ = abc) and katakana/hiragana (ヤマダ = やまだ).';

export class ListClientsQuery extends PageQuery {
  @ApiPropertyOptional({ description: SEARCH_DESCRIPTION, maxLength: 200, example: 'sao' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'q must contain something other than spaces' })
  q?: string;

  @ApiPropertyOptional({ description: 'Exact email address, case-insensitive', example: 'office@acme.example' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}

export class ListContactsQuery extends ListClientsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Contacts of this client company: its primary company or one it is associated with' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class PostalAddressView {
  @ApiProperty({ nullable: true, type: String }) line1!: string | null;
  @ApiProperty({ nullable: true, type: String }) line2!: string | null;
  @ApiProperty({ nullable: true, type: String }) city!: string | null;
  @ApiProperty({ nullable: true, type: String }) postalCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) region!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'ISO 3166-1 alpha-2' }) country!: string | null;
}

export class ClientView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) website!: string | null;
  @ApiProperty({ nullable: true, type: PostalAddressView }) address!: PostalAddressView | null;
  @ApiProperty({ description: 'Archived companies are left out of the lists and the search, and stay readable by id' }) archived!: boolean;
  @ApiProperty({ nullable: true, type: String }) archivedAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ContactView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) organizationId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ nullable: true, type: String }) phone!: string | null;
  @ApiProperty({ format: 'uuid', description: 'The primary client company' }) clientId!: string;
  @ApiProperty({ type: [String], description: 'Every client company the contact belongs to, the primary included, ordered by id' })
  clientIds!: string[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ClientPage {
  @ApiProperty({ type: [ClientView] }) items!: ClientView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ContactPage {
  @ApiProperty({ type: [ContactView] }) items!: ContactView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}
