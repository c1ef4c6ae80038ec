import { applyDecorators, Controller, Get, Inject, Query, Req, Res, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, parseLocalDate } from '@app/domain';
import {
  APPROVALS_REPORT_COLUMNS,
  approvalsReport,
  DOCUMENTS_REPORT_COLUMNS,
  documentsReport,
  INVITATIONS_REPORT_COLUMNS,
  invitationsReport,
  INVOICES_REPORT_COLUMNS,
  invoicesReport,
  PORTAL_ACCESS_REPORT_COLUMNS,
  portalAccessReport,
  ReadStore,
  Report,
  ReportQuery,
} from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { Problems } from '../http/problem-catalog';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';
import { Organizations } from '../organizations/organizations';
import { toCsv, wantsCsv } from './csv';
import { ApprovalsReportView, DocumentsReportView, InvitationsReportView, InvoicesReportView, PortalAccessReportView, ReportQueryDto } from './reports.dto';

const FILTERS =
  "Filters: `from`, `to` (local dates in the organization's time zone, which also decides every ISO week), `portalId`, `clientId`. " +
  'JSON `{items, totals}`; with `Accept: text/csv` or `format=csv`, the items as CSV (RFC 4180, UTF-8, a header row). Read from a projection of its own.';

/**
 * The OpenAPI of a report route: JSON or CSV, who may call it (its security and 401/403 follow
 * from the access), and what bad filters or a report too large to read answer.
 */
function ReportRoute(summary: string, description: string, view: Type<unknown>, columns: readonly string[]) {
  return applyDecorators(
    Staff('reports:read'),
    ApiOperation({ summary, description: `${description} ${FILTERS}` }),
    ApiProduces('application/json', 'text/csv'),
    ApiExtraModels(view),
    ApiOkResponse({
      description: 'The report: `{items, totals}` as JSON, or the items as CSV (with `Accept: text/csv` or `format=csv`)',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(view) } },
        'text/csv': {
          schema: { type: 'string', description: `RFC 4180, UTF-8: a header row (${columns.join(', ')}), then one row per item; no totals` },
          example: `${columns.join(',')}\r\n`,
        },
      },
      headers: {
        'Content-Disposition': { description: 'CSV only: `attachment; filename="<report>-report.csv"`', schema: { type: 'string' } },
        Vary: { description: '`Accept`: the same URL answers JSON or CSV', schema: { type: 'string' } },
      },
    }),
    Problems('invalid-date', 'invalid-date-range', 'report-too-large'),
  );
}

/**
 * Reports for reporting teams: counts, funnels and weekly figures computed from report
 * projections (libs/projections/src/reports), in the organization's time zone.
 */
@ApiTags('reports')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly organizations: Organizations,
  ) {}

  @Get('portal-access')
  @ReportRoute('Portal access counts by status (invited, active, disabled, revoked) per portal and company; totals', '`from`/`to` keep the accesses first invited on those dates.', PortalAccessReportView, PORTAL_ACCESS_REPORT_COLUMNS)
  portalAccess(@CurrentStaff() principal: StaffPrincipal, @Query() query: ReportQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(principal, query, request, reply, 'portal-access', portalAccessReport, PORTAL_ACCESS_REPORT_COLUMNS);
  }

  @Get('invitations')
  @ReportRoute(
    'The invitation funnel per portal and ISO week: invited, accepted, pending, expired, withdrawn; time to accept (median, p90); re-sends',
    'A week is that of the first invitation of a cycle (a contact invited again after a revocation starts a new cycle); invited = accepted + pending + expired + withdrawn. `clientId`: the contact’s primary company when invited.',
    InvitationsReportView,
    INVITATIONS_REPORT_COLUMNS,
  )
  invitations(@CurrentStaff() principal: StaffPrincipal, @Query() query: ReportQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(principal, query, request, reply, 'invitations', invitationsReport, INVITATIONS_REPORT_COLUMNS);
  }

  @Get('approvals')
  @ReportRoute(
    'Timesheets and quotes per company and ISO week: submitted, approved, rejected, pending, expired, withdrawn; time to decide (median, p90); hours approved',
    'A week is that of the first submission (a quote: its sharing); a document counts under the company it is filed under now.',
    ApprovalsReportView,
    APPROVALS_REPORT_COLUMNS,
  )
  approvals(@CurrentStaff() principal: StaffPrincipal, @Query() query: ReportQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(principal, query, request, reply, 'approvals', approvalsReport, APPROVALS_REPORT_COLUMNS);
  }

  @Get('documents')
  @ReportRoute('Shared vs viewed documents per company and kind; time to the first view (median, p90)', '`from`/`to` keep the documents shared on those dates.', DocumentsReportView, DOCUMENTS_REPORT_COLUMNS)
  documents(@CurrentStaff() principal: StaffPrincipal, @Query() query: ReportQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(principal, query, request, reply, 'documents', documentsReport, DOCUMENTS_REPORT_COLUMNS);
  }

  @Get('invoices')
  @ReportRoute(
    'Invoices per company and currency: issued, paid, partly paid, unpaid, overdue, with their amounts as decimal strings',
    '`from`/`to` keep the invoices issued on those dates; totals give amounts per currency.',
    InvoicesReportView,
    INVOICES_REPORT_COLUMNS,
  )
  invoices(@CurrentStaff() principal: StaffPrincipal, @Query() query: ReportQueryDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.answer(principal, query, request, reply, 'invoices', invoicesReport, INVOICES_REPORT_COLUMNS);
  }

  private async answer<Item, Totals>(
    principal: StaffPrincipal,
    dto: ReportQueryDto,
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    report: (readStore: ReadStore, query: ReportQuery) => Promise<Report<Item, Totals>>,
    columns: readonly (keyof Item & string)[],
  ): Promise<Report<Item, Totals> | string> {
    const query = await this.queryOf(principal, dto);
    const answer = await report(this.readStore, query);
    reply.header('vary', 'Accept');
    if (!wantsCsv(dto.format, request.headers.accept)) return answer;
    reply.header('content-type', 'text/csv; charset=utf-8; header=present');
    reply.header('content-disposition', `attachment; filename="${name}-report.csv"`);
    return toCsv(columns, answer.items);
  }

  private async queryOf(principal: StaffPrincipal, dto: ReportQueryDto): Promise<ReportQuery> {
    const from = calendarDate(dto.from, 'from');
    const to = calendarDate(dto.to, 'to');
    if (from !== undefined && to !== undefined && from > to) {
      throw new DomainError('unprocessable', 'invalid-date-range', 'from must be on or before to.', { errors: [{ field: 'from', message: 'on or before to' }] });
    }
    const organization = await this.organizations.get(principal.organizationId);
    return {
      organizationId: principal.organizationId,
      timeZone: organization.timeZone,
      now: new Date(),
      from,
      to,
      portalId: dto.portalId?.toLowerCase(),
      clientId: dto.clientId?.toLowerCase(),
    };
  }
}

/** A real calendar date (2026-02-30 is refused: 422 invalid-date), or undefined. */
function calendarDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!parseLocalDate(value)) throw new DomainError('unprocessable', 'invalid-date', `${field} must be a calendar date YYYY-MM-DD.`, { errors: [{ field, message: 'a date YYYY-MM-DD' }] });
  return value;
}
