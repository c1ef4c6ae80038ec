import { Controller, Get, Inject, Module, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AUDIT_BY_SUBJECT_COLLECTION, AUDIT_LOG_COLLECTION, Doc, ReadStore } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { findPage, Page, PageQuery } from '../http/pagination';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';
import { ActorView } from '../collaboration/collaboration.dto';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only events about this id (contact, client company, portal access)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectId?: string;
}

export class AuditItem {
  @ApiProperty({ description: 'Global position of the event: the order of the history' }) position!: number;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'ContactInvited' }) type!: string;
  @ApiProperty() schemaVersion!: number;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: ActorView, description: 'Who did it' }) actor!: ActorView;
  @ApiProperty({ type: ActorView, nullable: true, description: 'On whose behalf, when someone acted for another' }) onBehalfOf!: ActorView | null;
  @ApiProperty({ enum: ['api', 'portal', 'import', 'system'], description: 'Through which channel' }) channel!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: [String], description: 'The ids the event is about (contact, client company, portal access, ...)' }) subjectIds!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data, as stored" }) data!: Record<string, unknown>;
}

export class AuditPage {
  @ApiProperty({ type: [AuditItem] }) items!: AuditItem[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor!: string | null;
}

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  @Get()
  @Staff('audit:read')
  @ApiOperation({ summary: 'Audit history, oldest first: who did what, for whom, through which channel, when' })
  @ApiOkResponse({ type: AuditPage })
  list(@CurrentStaff() principal: StaffPrincipal, @Query() query: AuditQuery): Promise<Page<AuditItem>> {
    return query.subjectId
      ? findPage(this.readStore, AUDIT_BY_SUBJECT_COLLECTION, { organizationId: principal.organizationId, subjectId: query.subjectId.toLowerCase() }, query, toItem)
      : findPage(this.readStore, AUDIT_LOG_COLLECTION, { organizationId: principal.organizationId }, query, toItem);
  }
}

function toItem(doc: Doc): AuditItem {
  return {
    position: doc.position as number,
    eventId: doc.eventId as string,
    type: doc.type as string,
    schemaVersion: doc.schemaVersion as number,
    occurredAt: doc.occurredAt as string,
    actor: doc.actor as ActorView,
    onBehalfOf: (doc.onBehalfOf as ActorView | undefined) ?? null,
    channel: doc.channel as string,
    correlationId: doc.correlationId as string,
    subjectIds: doc.subjectIds as string[],
    data: doc.data as Record<string, unknown>,
  };
}

@Module({ controllers: [AuditController] })
export class AuditModule {}
