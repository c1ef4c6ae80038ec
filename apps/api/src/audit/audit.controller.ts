import { Controller, Get, Inject, Module, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AUDIT_BY_SUBJECT_COLLECTION, AUDIT_LOG_COLLECTION, Doc, ReadStore } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { findPage, Page, PageQuery } from '../http/pagination';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only events about this id (contact, client company, portal access)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectId?: string;
}

export interface AuditItem {
  position: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: unknown;
  onBehalfOf: unknown;
  channel: string;
  correlationId: string;
  subjectIds: string[];
  data: unknown;
}

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {}

  @Get()
  @Staff('audit:read')
  @ApiOperation({ summary: 'Audit history, oldest first: who did what, for whom, through which channel, when' })
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
    actor: doc.actor,
    onBehalfOf: doc.onBehalfOf ?? null,
    channel: doc.channel as string,
    correlationId: doc.correlationId as string,
    subjectIds: doc.subjectIds as string[],
    data: doc.data,
  };
}

@Module({ controllers: [AuditController] })
export class AuditModule {}
