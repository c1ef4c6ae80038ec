import { applyDecorators, CallHandler, Controller, ExecutionContext, Get, Inject, Injectable, NestInterceptor, Param, Query, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Problems } from '../http/problem-catalog';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FastifyRequest } from 'fastify';
import { ReadQuery } from '../http/pagination';
import { from, Observable } from 'rxjs';
import {
  clientCompany,
  contact,
  defaultPortalId,
  DomainError,
  effectivePermissions,
  EffectivePermissions,
  invoice,
  portal,
  portalAccess,
  portalAccessId,
  quote,
  timesheet,
} from '@app/domain';
import { EventStore, RecordedEvent, UnreadableEventError } from '@app/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';
import { unreadableStream } from '../commands/command-executor';

/** A stream's folding: its category and the domain's own decider. */
interface Foldable {
  initialState(): unknown;
  evolve(state: never, event: never): unknown;
}

/** What `asOf`/`asOfPosition` fold, per route: the stream category, its decider, the route parameter. */
interface AsOfTarget {
  category: string;
  decider: Foldable;
  param: string;
}

const AS_OF = 'asOfTarget';

export const AS_OF_TARGETS = {
  contact: { category: 'contact', decider: contact, param: 'contactId' },
  clientCompany: { category: 'clientCompany', decider: clientCompany, param: 'clientId' },
  portalAccess: { category: 'portalAccess', decider: portalAccess, param: 'contactId' },
  timesheet: { category: 'timesheet', decider: timesheet, param: 'timesheetId' },
  quote: { category: 'quote', decider: quote, param: 'quoteId' },
  invoice: { category: 'invoice', decider: invoice, param: 'invoiceId' },
  portal: { category: 'portal', decider: portal, param: 'portalId' },
} satisfies Record<string, AsOfTarget>;

/**
 * Marks a GET route as able to answer "as of" a moment: with `asOf=<ISO time>` or
 * `asOfPosition=<position>` it answers the state folded from the stream's events up to then
 * with the domain's own evolve (not from a projection), and the events that made it. Such a
 * request is an audit read: auditor and admin keys (audit:read), whatever the route's own rule.
 */
export const AsOf = (target: keyof typeof AS_OF_TARGETS) =>
  applyDecorators(
    SetMetadata(AS_OF, target),
    ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 instant: the state as it stood then, folded from its events, with those events (audit:read)' }),
    ApiQuery({ name: 'asOfPosition', required: false, description: 'A log position: the state as of that position (audit:read)' }),
  );

/** Whether a route offers as-of answers (marked @AsOf). */
export function offersAsOf(reflector: Reflector, handler: Function): boolean {
  return reflector.get<string | undefined>(AS_OF, handler) !== undefined;
}

/** Whether a request asks a route marked @AsOf for a past state (the guard then requires audit:read). */
export function isAsOfRequest(reflector: Reflector, context: ExecutionContext): boolean {
  return offersAsOf(reflector, context.getHandler()) && asksAsOf(context.switchToHttp().getRequest<FastifyRequest>());
}

/** Whether a request's query names a past moment. */
export function asksAsOf(request: Pick<FastifyRequest, 'query'>): boolean {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return query.asOf !== undefined || query.asOfPosition !== undefined;
}

export interface AsOfEvent {
  position: string;
  streamRevision: string;
  type: string;
  occurredAt: string;
  actor: unknown;
  onBehalfOf: unknown;
  channel: string;
}

export interface AsOfView {
  id: string;
  streamName: string;
  asOf: string | null;
  asOfPosition: string | null;
  state: unknown;
  events: AsOfEvent[];
}

/** A moment: an instant or a position, checked. */
export function momentOf(query: Record<string, unknown>): { asOf?: string; asOfPosition?: bigint } {
  const { asOf, asOfPosition } = query;
  if (asOf !== undefined && asOfPosition !== undefined) throw invalid('Give asOf or asOfPosition, not both.');
  if (asOf !== undefined) {
    if (typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
      throw invalid('asOf must be an ISO 8601 instant with a time zone, e.g. 2025-01-31T12:00:00Z.');
    }
    return { asOf: new Date(asOf).toISOString() };
  }
  if (asOfPosition !== undefined) {
    if (typeof asOfPosition !== 'string' || !/^\d{1,19}$/.test(asOfPosition)) throw invalid('asOfPosition must be a log position (digits).');
    return { asOfPosition: BigInt(asOfPosition) };
  }
  return {};
}

function invalid(detail: string): DomainError {
  return new DomainError('unprocessable', 'invalid-as-of', detail, { field: 'asOf' });
}

/** Folds streams as of a moment, scoped to an organization (another's stream: not found). */
@Injectable()
export class AsOfFolder {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async fold(streamName: string, decider: Foldable, organizationId: string, moment: { asOf?: string; asOfPosition?: bigint }): Promise<{ state: unknown; events: RecordedEvent[] }> {
    let events: RecordedEvent[];
    try {
      ({ events } = await this.store.readStream(streamName));
    } catch (error) {
      if (error instanceof UnreadableEventError) throw unreadableStream(error);
      throw error;
    }
    if (events.length === 0 || events[0].metadata.organizationId !== organizationId) return { state: decider.initialState(), events: [] };
    const upTo = events.filter((event) =>
      moment.asOfPosition !== undefined ? event.position <= moment.asOfPosition : moment.asOf === undefined || event.metadata.occurredAt <= moment.asOf,
    );
    let state = decider.initialState();
    for (const event of upTo) state = (decider.evolve as (s: unknown, e: unknown) => unknown)(state, { type: event.type, data: event.data });
    return { state, events: upTo };
  }

  async view(target: AsOfTarget, id: string, organizationId: string, query: Record<string, unknown>): Promise<AsOfView> {
    const moment = momentOf(query);
    const streamId = target.category === 'portalAccess' ? portalAccessId(portalIdOf(query, organizationId), id) : id;
    const streamName = `${target.category}-${streamId}`;
    const { state, events } = await this.fold(streamName, target.decider, organizationId, moment);
    if (events.length === 0) throw new DomainError('not-found', 'not-found-as-of', 'No such record at that moment (it did not exist yet, or is not yours).');
    return { id: streamId, streamName, asOf: moment.asOf ?? null, asOfPosition: moment.asOfPosition?.toString() ?? null, state, events: events.map(asOfEvent) };
  }
}

function portalIdOf(query: Record<string, unknown>, organizationId: string): string {
  const portalId = query.portalId;
  if (portalId === undefined) return defaultPortalId(organizationId);
  if (typeof portalId !== 'string' || !/^[0-9a-f-]{36}$/i.test(portalId)) throw new DomainError('not-found', 'not-found', 'No such resource.');
  return portalId.toLowerCase();
}

function asOfEvent(event: RecordedEvent): AsOfEvent {
  return {
    position: event.position.toString(),
    streamRevision: event.streamRevision.toString(),
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actor: event.metadata.actor,
    onBehalfOf: event.metadata.onBehalfOf ?? null,
    channel: event.metadata.channel,
  };
}

/** Answers the as-of view instead of the route's own handler when a moment is asked for. */
@Injectable()
export class AsOfInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly folder: AsOfFolder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!isAsOfRequest(this.reflector, context)) return next.handle();
    const target = AS_OF_TARGETS[this.reflector.get<keyof typeof AS_OF_TARGETS>(AS_OF, context.getHandler())];
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: StaffPrincipal }>();
    const params = request.params as Record<string, string>;
    const id = params[target.param];
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id ?? '')) throw new DomainError('not-found', 'not-found', 'No such resource.');
    return from(this.folder.view(target, id.toLowerCase(), request.principal!.organizationId, request.query as Record<string, unknown>));
  }
}

export class PermissionsQuery extends ReadQuery {
  @ApiPropertyOptional({ description: "The portal (the organization's first when omitted)" })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-fA-F-]{36}$/)
  portalId?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant (omitted: now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;

  @ApiPropertyOptional({ description: 'A log position instead of an instant' })
  @IsOptional()
  @Matches(/^\d{1,19}$/)
  @MaxLength(19)
  asOfPosition?: string;
}

class AsOfEventView {
  @ApiProperty() position!: string;
  @ApiProperty() streamRevision!: string;
  @ApiProperty() streamName!: string;
  @ApiProperty() type!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) actor!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) onBehalfOf!: unknown;
  @ApiProperty() channel!: string;
}

export class PermissionsAsOfResponse {
  @ApiProperty({ format: 'uuid' }) accessId!: string;
  @ApiProperty({ format: 'uuid' }) portalId!: string;
  @ApiProperty({ nullable: true, type: String }) asOf!: string | null;
  @ApiProperty({ nullable: true, type: String }) asOfPosition!: string | null;
  @ApiProperty({ enum: ['Invited', 'Active', 'Disabled', 'Revoked'] }) status!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', properties: { view: { type: 'boolean' }, create: { type: 'boolean' }, edit: { type: 'boolean' }, delete: { type: 'boolean' }, approve: { type: 'boolean' } } },
    description: 'Per module: what the person could do then',
  })
  modules!: unknown;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{kind: user-type | no-user-type | access-not-active, userTypeId?, ...}: where the permissions came from' })
  source!: unknown;
  @ApiProperty({ type: [AsOfEventView], description: "The access's and the portal's events up to that moment, in log order" }) events!: AsOfEventView[];
}

export interface PermissionsAsOf extends EffectivePermissions {
  accessId: string;
  portalId: string;
  asOf: string | null;
  asOfPosition: string | null;
  /** The access's and the portal's events up to that moment, in log order. */
  events: (AsOfEvent & { streamName: string })[];
}

@ApiTags('audit')
@Controller('v1/contacts')
export class PermissionsAsOfController {
  constructor(private readonly folder: AsOfFolder) {}

  @Get(':contactId/portal-access/permissions')
  @Staff('audit:read')
  @ApiOperation({
    summary: 'Why could this person do that then: effective module permissions at a moment, and where each came from',
    description:
      'Replayed from the access, portal and user-type events: {status, modules: {<module>: {view, create, edit, delete, approve}}, source: {kind: user-type|no-user-type|access-not-active, ...}, events}. ' +
      'Every permission is false while the access was invited (not accepted), disabled or revoked.',
  })
  @ApiOkResponse({ type: PermissionsAsOfResponse })
  @Problems('invalid-as-of', 'portal-access-not-found', 'stream-unreadable')
  async permissions(@CurrentStaff() principal: StaffPrincipal, @Param('contactId') contactId: string, @Query() query: PermissionsQuery): Promise<PermissionsAsOf> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(contactId)) throw new DomainError('not-found', 'not-found', 'No such resource.');
    const moment = momentOf(query as Record<string, unknown>);
    const portalId = portalIdOf(query as Record<string, unknown>, principal.organizationId);
    const accessId = portalAccessId(portalId, contactId.toLowerCase());
    const access = await this.folder.fold(`portalAccess-${accessId}`, portalAccess, principal.organizationId, moment);
    const portalFold = await this.folder.fold(`portal-${portalId}`, portal, principal.organizationId, moment);
    const effective = effectivePermissions(access.state as Parameters<typeof effectivePermissions>[0], portalFold.state as Parameters<typeof effectivePermissions>[1]);
    if (!effective || access.events.length === 0) throw new DomainError('not-found', 'portal-access-not-found', 'This contact had no portal access at that moment.');
    const events = [...access.events, ...portalFold.events]
      .sort((a, b) => (a.position < b.position ? -1 : 1))
      .map((event) => ({ ...asOfEvent(event), streamName: event.streamName }));
    return { accessId, portalId, asOf: moment.asOf ?? null, asOfPosition: moment.asOfPosition?.toString() ?? null, ...effective, events };
  }
}
