import { AsOf } from '../audit/as-of';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { PortalUser, Staff } from '../auth/access';
import { CurrentPortalUser, CurrentStaff, PortalContext, PortalPrincipal, StaffContext, StaffPrincipal } from '../auth/principal';
import { CreatedResponse, WrittenResponse } from '../http/responses';
import { ApproveTimesheet, RejectTimesheet, ResubmitTimesheet, SubmitTimesheet } from './shifts-timesheets.commands';
import { Written } from '../commands/written';
import {
  PortalTimesheetsQuery,
  RejectTimesheetDto,
  ResubmitTimesheetDto,
  SubmitTimesheetDto,
  PortalTimesheetDto,
  TimesheetPage,
  TimesheetsQuery,
  TimesheetView,
} from './shifts-timesheets.dto';
import { mapPage, ShiftsTimesheetsQueries, toTimesheetView } from './shifts-timesheets.queries';
import { Problems } from '../http/problem-catalog';

/**
 * Timesheets of temporary staff: a client contact creates one in the portal on the staff
 * member's behalf (or staff submit one), a client contact approves or rejects it with a reason,
 * a rejected one is corrected and resubmitted, an approved one is final.
 */
@ApiTags('timesheets')
@Controller('v1')
export class TimesheetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: ShiftsTimesheetsQueries,
  ) {}

  @Post('timesheets')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Submit a timesheet for a client company on behalf of a staff member (SubmitTimesheet)' })
  @ApiCreatedResponse({ type: CreatedResponse })
  @Problems('client-not-found', 'client-archived', 'staff-member-name-required', 'entries-required', 'too-many-entries', 'invalid-entry-date', 'invalid-entry-time', 'invalid-break', 'entry-ends-before-start', 'nonexistent-local-time', 'negative-hours', 'note-too-long', 'overlapping-entries', 'day-over-24-hours', 'unknown-project', 'client-not-in-project', 'project-archived')
  submit(@StaffContext() context: CommandContext, @Body() body: SubmitTimesheetDto): Promise<Written> {
    return this.commands.execute(new SubmitTimesheet(context, { kind: 'staff' }, body));
  }

  @Post('timesheets/:timesheetId/approve')
  @HttpCode(200)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Approve a submitted timesheet as the organization (ApproveTimesheet); approved is final' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('timesheet-not-found', 'timesheet-final', 'timesheet-rejected')
  approve(@StaffContext() context: CommandContext, @Param('timesheetId', ResourceIdPipe) timesheetId: string): Promise<Written> {
    return this.commands.execute(new ApproveTimesheet(context, { kind: 'staff' }, timesheetId));
  }

  @Post('timesheets/:timesheetId/reject')
  @HttpCode(200)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Reject a submitted timesheet with a reason, as the organization (RejectTimesheet)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('timesheet-not-found', 'timesheet-final', 'timesheet-rejected', 'reason-required')
  reject(
    @StaffContext() context: CommandContext,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
    @Body() body: RejectTimesheetDto,
  ): Promise<Written> {
    return this.commands.execute(new RejectTimesheet(context, { kind: 'staff' }, timesheetId, body));
  }

  @Get('timesheets')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List timesheets, ordered by id; filter by client company and status (submitted: awaiting approval)' })
  @ApiOkResponse({ type: TimesheetPage })
  async list(@CurrentStaff() principal: StaffPrincipal, @Query() query: TimesheetsQuery): Promise<Page<TimesheetView>> {
    return mapPage(await this.queries.staffList(principal.organizationId, 'timesheet', { clientId: query.clientId, status: query.status }, query), toTimesheetView);
  }

  @Get('timesheets/:timesheetId')
  @AsOf('timesheet')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A timesheet with its entries and computed hours' })
  @ApiOkResponse({ type: TimesheetView })
  @Problems('timesheet-not-found')
  async get(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
    @Query() _query: ReadQuery,
  ): Promise<TimesheetView> {
    return toTimesheetView(await this.queries.staffGet(principal.organizationId, 'timesheet', timesheetId));
  }

  @Get('portal/timesheets')
  @PortalUser('timesheets', 'view', { list: true })
  @ApiOperation({ summary: "Portal: the timesheets of the user's company it may see, ordered by id; filter by status" })
  @ApiOkResponse({ type: TimesheetPage })
  async portalList(@CurrentPortalUser() user: PortalPrincipal, @Query() query: PortalTimesheetsQuery): Promise<Page<TimesheetView>> {
    return mapPage(await this.queries.portalList(user, 'timesheet', query.status, query), toTimesheetView);
  }

  @Get('portal/timesheets/:timesheetId')
  @PortalUser('timesheets', 'view', { document: 'timesheetId' })
  @ApiOperation({ summary: "Portal: a timesheet of the user's company; another company's answers 404" })
  @ApiOkResponse({ type: TimesheetView })
  @Problems('timesheet-not-found')
  async portalGet(
    @CurrentPortalUser() user: PortalPrincipal,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
    @Query() _query: ReadQuery,
  ): Promise<TimesheetView> {
    return toTimesheetView(await this.queries.portalGet(user, 'timesheet', timesheetId));
  }

  @Post('portal/timesheets')
  @HttpCode(201)
  @PortalUser('timesheets', 'create', { projectInBody: true })
  @ApiOperation({ summary: "Portal: create a timesheet for the user's company on behalf of a temporary staff member (SubmitTimesheet)" })
  @ApiCreatedResponse({ type: CreatedResponse })
  @Problems('client-not-found', 'client-archived', 'staff-member-name-required', 'entries-required', 'too-many-entries', 'invalid-entry-date', 'invalid-entry-time', 'invalid-break', 'entry-ends-before-start', 'nonexistent-local-time', 'negative-hours', 'note-too-long', 'overlapping-entries', 'day-over-24-hours', 'unknown-project', 'client-not-in-project', 'project-archived', 'project-not-found')
  portalCreate(@CurrentPortalUser() user: PortalPrincipal, @PortalContext() context: CommandContext, @Body() body: PortalTimesheetDto): Promise<Written> {
    return this.commands.execute(new SubmitTimesheet(context, { kind: 'portal-user', user }, body));
  }

  @Post('portal/timesheets/:timesheetId/approve')
  @HttpCode(200)
  @PortalUser('timesheets', 'approve', { document: 'timesheetId' })
  @ApiOperation({ summary: 'Portal: approve a submitted timesheet (ApproveTimesheet); approved is final' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('timesheet-not-found', 'timesheet-final', 'timesheet-rejected')
  portalApprove(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
  ): Promise<Written> {
    return this.commands.execute(new ApproveTimesheet(context, { kind: 'portal-user', user }, timesheetId));
  }

  @Post('portal/timesheets/:timesheetId/reject')
  @HttpCode(200)
  @PortalUser('timesheets', 'approve', { document: 'timesheetId' })
  @ApiOperation({ summary: 'Portal: reject a submitted timesheet with a reason (RejectTimesheet)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('timesheet-not-found', 'timesheet-final', 'timesheet-rejected', 'reason-required')
  portalReject(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
    @Body() body: RejectTimesheetDto,
  ): Promise<Written> {
    return this.commands.execute(new RejectTimesheet(context, { kind: 'portal-user', user }, timesheetId, body));
  }

  @Post('portal/timesheets/:timesheetId/resubmit')
  @HttpCode(200)
  @PortalUser('timesheets', 'edit', { document: 'timesheetId' })
  @ApiOperation({ summary: 'Portal: correct a rejected timesheet and submit it again (ResubmitTimesheet)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('timesheet-not-found', 'timesheet-final', 'timesheet-not-rejected', 'staff-member-name-required', 'entries-required', 'too-many-entries', 'invalid-entry-date', 'invalid-entry-time', 'invalid-break', 'entry-ends-before-start', 'nonexistent-local-time', 'negative-hours', 'note-too-long', 'overlapping-entries', 'day-over-24-hours')
  portalResubmit(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('timesheetId', ResourceIdPipe) timesheetId: string,
    @Body() body: ResubmitTimesheetDto,
  ): Promise<Written> {
    return this.commands.execute(new ResubmitTimesheet(context, { kind: 'portal-user', user }, timesheetId, body));
  }
}
