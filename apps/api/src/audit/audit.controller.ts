import { CommandBus } from '@nestjs/cqrs';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ActorView } from '../http/responses';
import { Problems } from '../http/problem-catalog';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { FastifyReply } from 'fastify';
import { DomainError } from '@app/domain';
import { PersonalDataVault } from '@app/event-store';
import { AUDIT_BY_SUBJECT_COLLECTION, AUDIT_LOG_COLLECTION, AuditEntryRow, CollectionName, ReadStore } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { PageQuery, ReadQuery } from '../http/pagination';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { CommandContext } from '../http/request-context';
import { AuditLog } from './audit-log';
import { ErasureController } from './erasure.controller';
import { AUDIT_COMMAND_HANDLERS, RecordAuditExport } from './audit.commands';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only events about this id (contact, client company, document, portal, portal access)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectId?: string;

  @ApiPropertyOptional({ description: 'Only events by this actor (an API key id, a portal access id, a system actor)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actorId?: string;

  @ApiPropertyOptional({ description: 'Only events of these types (comma-separated), e.g. ContactInvited,PortalAccessRevoked' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  type?: string;

  @ApiPropertyOptional({ description: 'Only events that occurred at or after this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Only events that occurred at or before this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'The history as it stood at this instant (ISO 8601): the events up to it (as `to`)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'asc: oldest first; desc: newest first' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class ExportQuery extends ReadQuery {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'])
  format?: 'jsonl' | 'csv';

  @ApiPropertyOptional({ description: 'Events that occurred at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Events that occurred at or before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Only events about this id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectId?: string;
}

export class VerifyQuery extends ReadQuery {
  @ApiPropertyOptional({ description: 'Verify only the records of this subject (its own streams); omitted: the whole log' })
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
  @ApiProperty({ type: ActorView, description: 'Who did it' }) actor!: unknown;
  @ApiProperty({ type: ActorView, nullable: true, description: 'On whose behalf, when someone acted for another' }) onBehalfOf!: unknown;
  @ApiProperty({ enum: ['api', 'portal', 'import', 'system'], description: 'Through which channel' }) channel!: string;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: [String], description: 'The ids the event is about (contact, client company, portal access, ...)' }) subjectIds!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's data (personal data of an erased person reads `[erased]`)" }) data!: unknown;
}

export class AuditPage {
  @ApiProperty({ type: [AuditItem] }) items!: AuditItem[];
  @ApiProperty({ nullable: true, type: String, description: 'The page after this one, in the same order; null at the end' }) nextCursor!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The page before this one; null on the first page' }) prevCursor!: string | null;
}

class BrokenLinkView {
  @ApiProperty({ description: 'Position of the first event whose link does not hold' }) position!: string;
  @ApiProperty() streamName!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ description: 'The hash the chain requires there' }) expected!: string;
  @ApiProperty({ description: 'The hash found' }) found!: string;
  @ApiPropertyOptional() reason?: string;
}

export class VerifyResponse {
  @ApiProperty({ description: 'true: every link and anchor holds' }) ok!: boolean;
  @ApiProperty({ description: 'Events checked' }) events!: number;
  @ApiPropertyOptional({ description: 'ok: anchors checked' }) anchors?: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'ok: the newest anchor' }) lastAnchor?: unknown;
  @ApiPropertyOptional({ type: BrokenLinkView, description: 'not ok: the first broken link' }) firstBroken?: BrokenLinkView;
  @ApiPropertyOptional({ description: 'With subjectId: the subject verified' }) subjectId?: string;
  @ApiPropertyOptional({ type: [String], description: "With subjectId: the subject's streams" }) streams?: string[];
}

/** Rows looked at per request at most when filters no index serves are applied. */
const MAX_SCAN = 5_000;

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly auditLog: AuditLog,
    private readonly vault: PersonalDataVault,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Staff('audit:read')
  @ApiOperation({
    summary: 'Audit history: who did what, for whom, through which channel, when',
    description:
      'Filters by subject, actor, event type and time range (asOf: up to that instant); oldest first (order=asc) or newest first (order=desc). ' +
      'nextCursor continues in the same order, prevCursor goes back. Personal data reads `[erased]` once its person was erased.',
  })
  @ApiOkResponse({ type: AuditPage })
  @Problems('invalid-cursor')
  async list(@CurrentStaff() principal: StaffPrincipal, @Query() query: AuditQuery): Promise<AuditPage> {
    const where: { collection: CollectionName<AuditEntryRow>; where: Record<string, string> } = query.subjectId
      ? { collection: AUDIT_BY_SUBJECT_COLLECTION, where: { organizationId: principal.organizationId, subjectId: query.subjectId.toLowerCase() } }
      : { collection: AUDIT_LOG_COLLECTION, where: { organizationId: principal.organizationId } };
    const limit = query.limit ?? 50;
    const order = query.order ?? 'asc';
    const cursor = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
    // Which way the rows are read: forward in the display order, or backwards for prevCursor.
    const ascending = cursor ? cursor.direction === 'gt' : order === 'asc';
    const to = [query.to, query.asOf].filter((t): t is string => !!t).sort()[0];
    const types = query.type ? new Set(query.type.split(',').map((t) => t.trim())) : undefined;
    const keep = (doc: AuditEntryRow): boolean => {
      const occurredAt = doc.occurredAt;
      if (query.from && occurredAt < query.from) return false;
      if (to && occurredAt > to) return false;
      if (types && !types.has(doc.type)) return false;
      if (query.actorId && doc.actor?.id !== query.actorId) return false;
      return true;
    };
    const kept: AuditEntryRow[] = [];
    let bound = cursor?.id;
    let scanned = 0;
    let exhausted = false;
    while (kept.length <= limit && scanned < MAX_SCAN) {
      const batch = await this.readStore.find(where.collection, {
        where: where.where,
        ...(bound === undefined ? {} : ascending ? { afterId: bound } : { beforeId: bound }),
        descending: !ascending,
        limit: 200,
      });
      for (const doc of batch) {
        scanned += 1;
        bound = doc.id;
        if (keep(doc)) kept.push(doc);
        if (kept.length > limit) break;
      }
      if (batch.length < 200) {
        exhausted = kept.length <= limit;
        break;
      }
    }
    const more = !exhausted; // more rows (or an unfinished scan) beyond this page in the reading direction
    const page = kept.slice(0, limit);
    const lastId = kept.length > limit ? page[page.length - 1]?.id : bound;
    const readForward = ascending === (order === 'asc');
    const shown = readForward ? page : [...page].reverse();
    const items = await Promise.all(shown.map((doc) => this.toItem(doc)));
    const forwardDirection = order === 'asc' ? 'gt' : 'lt';
    const backwardDirection = order === 'asc' ? 'lt' : 'gt';
    if (readForward) {
      return {
        items,
        nextCursor: more && lastId ? encodeAuditCursor(forwardDirection, lastId) : null,
        prevCursor: cursor && shown.length ? encodeAuditCursor(backwardDirection, shown[0].id) : null,
      };
    }
    // Read backwards (prevCursor): the page shown ends where the reader came from.
    return {
      items,
      nextCursor: shown.length ? encodeAuditCursor(forwardDirection, shown[shown.length - 1].id) : cursor ? encodeAuditCursor(forwardDirection, cursor.id) : null,
      prevCursor: more && shown.length ? encodeAuditCursor(backwardDirection, shown[0].id) : null,
    };
  }

  @Get('verify')
  @Staff('audit:read')
  @ApiOperation({
    summary: 'Verify the stored history: every hash link and anchor recomputed',
    description:
      'Answers 200 either way: {ok: true, events, anchors, lastAnchor} or {ok: false, events, firstBroken: {position, streamName, eventId, expected, found, reason}}. ' +
      'With subjectId, only that subject’s own records (links and hashes; anchors need the whole log).',
  })
  @ApiOkResponse({ type: VerifyResponse, description: 'The outcome of the verification (200 whether or not it holds)' })
  async verify(@CurrentStaff() principal: StaffPrincipal, @Query() query: VerifyQuery): Promise<unknown> {
    if (query.subjectId) return this.auditLog.verifySubject(principal.organizationId, query.subjectId.toLowerCase());
    return this.auditLog.verify(principal.organizationId);
  }

  @Get('export')
  @Staff('audit:read')
  @ApiOperation({
    summary: 'Export the history, streamed (JSONL or CSV), in constant memory',
    description:
      'One line per event: position, time, type, actor, on behalf of, channel, correlation and causation ids, data; and the stored data, metadata and chain hashes ' +
      '(previousHash, hash), so that the file verifies offline (`npm run audit -- verify --file <export.jsonl>`). The export itself is recorded (AuditExported).',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The history, streamed: one JSON object per line (jsonl), or CSV with a header row',
    content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
    headers: { 'X-Export-Id': { description: 'The id of the AuditExported event that records this export', schema: { type: 'string' } } },
  })
  async export(@StaffContext() context: CommandContext, @Query() query: ExportQuery, @Res() reply: FastifyReply): Promise<void> {
    const format = query.format ?? 'jsonl';
    const filter = { from: query.from ?? null, to: query.to ?? null, subjectId: query.subjectId?.toLowerCase() ?? null };
    const { exportId } = await this.commands.execute(new RecordAuditExport(context, { format, ...filter }));
    const body = this.auditLog.exportStream(format, { organizationId: context.organizationId, ...filter });
    void reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${exportId}.${format}"`)
      .header('x-export-id', exportId)
      .send(body);
  }

  private async toItem(doc: AuditEntryRow): Promise<AuditItem> {
    const data = doc.data && typeof doc.data === 'object' ? (await this.vault.open(doc.data)).data : doc.data;
    return {
      position: doc.position,
      eventId: doc.eventId,
      type: doc.type,
      schemaVersion: doc.schemaVersion,
      occurredAt: doc.occurredAt,
      actor: doc.actor,
      onBehalfOf: doc.onBehalfOf ?? null,
      channel: doc.channel,
      correlationId: doc.correlationId,
      subjectIds: doc.subjectIds,
      data,
    };
  }
}

function encodeAuditCursor(direction: 'gt' | 'lt', id: string): string {
  return Buffer.from(`${direction}:${id}`, 'utf8').toString('base64url');
}

function decodeAuditCursor(cursor: string): { direction: 'gt' | 'lt'; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(gt|lt):(.+)$/.exec(text);
  if (!match || encodeAuditCursor(match[1] as 'gt' | 'lt', match[2]) !== cursor) {
    throw new DomainError('invalid', 'invalid-cursor', 'The cursor is not one this service issued.');
  }
  return { direction: match[1] as 'gt' | 'lt', id: match[2] };
}
