import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { API_KEY_ROLES, ApiKeyRole } from '@app/domain';
import { ApiKeyRow, API_KEYS_COLLECTION, ReadStore } from '@app/projections';
import { findPage, Page, PageQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { Staff } from './access';
import { Problems } from '../http/problem-catalog';
import { ActorView } from '../http/responses';
import { IssuedKey } from './api-keys';
import { IssueApiKey, RevokeApiKey } from './api-keys.commands';
import { CurrentStaff, StaffContext, StaffPrincipal } from './principal';

export class IssueApiKeyDto {
  @ApiProperty({ example: 'Payroll integration', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: API_KEY_ROLES })
  @IsIn(API_KEY_ROLES)
  role!: ApiKeyRole;
}

export class IssuedKeyResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'The key itself: shown once, stored only as a hash.' }) key!: string;
  @ApiProperty({ enum: API_KEY_ROLES }) role!: string;
  @ApiProperty({ description: 'Public prefix that names the key in logs and lists.' }) prefix!: string;
  @ApiProperty() position!: number;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: API_KEY_ROLES }) role!: string;
  @ApiProperty({ description: 'Public prefix that names the key in logs and lists.' }) prefix!: string;
  @ApiProperty({ enum: ['Active', 'Revoked'] }) status!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: ActorView, description: 'Who issued it' }) createdBy!: ActorView;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class ApiKeyPage {
  @ApiProperty({ type: [ApiKeyView] }) items!: ApiKeyView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

@ApiTags('api keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Post()
  @HttpCode(201)
  @Staff('api-keys:manage')
  @ApiOperation({ summary: "Issue an API key with a role, in the caller's organization" })
  @ApiCreatedResponse({ type: IssuedKeyResponse })
  @Problems('name-required', 'unknown-role')
  issue(@StaffContext() context: CommandContext, @Body() body: IssueApiKeyDto): Promise<IssuedKey> {
    return this.commands.execute(new IssueApiKey(context, body.name, body.role));
  }

  @Get()
  @Staff('api-keys:manage')
  @ApiOperation({ summary: "The organization's API keys (never the key material)" })
  @ApiOkResponse({ type: ApiKeyPage })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() query: PageQuery): Promise<Page<ApiKeyView>> {
    return findPage(this.readStore, API_KEYS_COLLECTION, { organizationId: staff.organizationId }, query, toView);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Staff('api-keys:manage')
  @ApiOperation({ summary: 'Revoke an API key: it answers 401 from now on' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @Problems('api-key-not-found', 'api-key-revoked', 'bootstrap-key')
  async revoke(@StaffContext() context: CommandContext, @Param('keyId', ResourceIdPipe) keyId: string): Promise<void> {
    await this.commands.execute(new RevokeApiKey(context, keyId));
  }
}

function toView(doc: ApiKeyRow): ApiKeyView {
  return {
    id: doc.id,
    name: doc.name,
    role: doc.role,
    prefix: doc.prefix,
    status: doc.status,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    revokedAt: doc.revokedAt ?? null,
  };
}
