import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { PortalUser, Staff } from '../auth/access';
import { CurrentPortalUser, CurrentStaff, PortalPrincipal, StaffContext, StaffPrincipal } from '../auth/principal';
import { CreatedResponse, WrittenResponse } from '../http/responses';
import { CancelShift, PublishShift, UpdateShift } from './shifts-timesheets.commands';
import { Written } from '../commands/written';
import { CancelShiftDto, PortalShiftsQuery, PublishShiftDto, ShiftPage, ShiftsQuery, ShiftView, UpdateShiftDto } from './shifts-timesheets.dto';
import { mapPage, ShiftsTimesheetsQueries, toShiftView } from './shifts-timesheets.queries';
import { Problems } from '../http/problem-catalog';

/** Shifts published to client companies: staff publish, update and cancel; portal users read their company's. */
@ApiTags('shifts')
@Controller('v1')
export class ShiftsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: ShiftsTimesheetsQueries,
  ) {}

  @Post('shifts')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Publish a shift to a client company (PublishShift): staff member, start, end (ISO-8601 with offset), location, role' })
  @ApiCreatedResponse({ type: CreatedResponse })
  @Problems('client-not-found', 'client-archived', 'staff-member-name-required', 'invalid-date-time', 'shift-end-before-start', 'shift-too-long', 'unknown-project', 'client-not-in-project', 'project-archived')
  publish(@StaffContext() context: CommandContext, @Body() body: PublishShiftDto): Promise<Written> {
    return this.commands.execute(new PublishShift(context, body));
  }

  @Patch('shifts/:shiftId')
  @Staff('documents:write')
  @ApiOperation({ summary: 'Update a shift (UpdateShift): only the fields given change; a cancelled shift answers 409' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('shift-not-found', 'shift-cancelled', 'staff-member-name-required', 'invalid-date-time', 'shift-end-before-start', 'shift-too-long', 'unknown-project', 'client-not-in-project', 'project-archived')
  update(@StaffContext() context: CommandContext, @Param('shiftId', ResourceIdPipe) shiftId: string, @Body() body: UpdateShiftDto): Promise<Written> {
    return this.commands.execute(new UpdateShift(context, shiftId, body));
  }

  @Post('shifts/:shiftId/cancel')
  @HttpCode(200)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Cancel a shift (CancelShift), optionally saying why; cancelling again changes nothing' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('shift-not-found')
  cancel(@StaffContext() context: CommandContext, @Param('shiftId', ResourceIdPipe) shiftId: string, @Body() body: CancelShiftDto): Promise<Written> {
    return this.commands.execute(new CancelShift(context, shiftId, body ?? {}));
  }

  @Get('shifts')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List shifts, ordered by id; filter by client company and status' })
  @ApiOkResponse({ type: ShiftPage })
  async list(@CurrentStaff() principal: StaffPrincipal, @Query() query: ShiftsQuery): Promise<Page<ShiftView>> {
    return mapPage(await this.queries.staffList(principal.organizationId, 'shift', { clientId: query.clientId, status: query.status }, query), toShiftView);
  }

  @Get('shifts/:shiftId')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A shift' })
  @ApiOkResponse({ type: ShiftView })
  @Problems('shift-not-found')
  async get(@CurrentStaff() principal: StaffPrincipal, @Param('shiftId', ResourceIdPipe) shiftId: string, @Query() _query: ReadQuery): Promise<ShiftView> {
    return toShiftView(await this.queries.staffGet(principal.organizationId, 'shift', shiftId));
  }

  @Get('portal/shifts')
  @PortalUser('shifts', 'view', { list: true })
  @ApiOperation({ summary: "Portal: the shifts published to the user's company (read-only), ordered by id; filter by status" })
  @ApiOkResponse({ type: ShiftPage })
  async portalList(@CurrentPortalUser() user: PortalPrincipal, @Query() query: PortalShiftsQuery): Promise<Page<ShiftView>> {
    return mapPage(await this.queries.portalList(user, 'shift', query.status, query), toShiftView);
  }

  @Get('portal/shifts/:shiftId')
  @PortalUser('shifts', 'view', { document: 'shiftId' })
  @ApiOperation({ summary: "Portal: a shift of the user's company; another company's answers 404" })
  @ApiOkResponse({ type: ShiftView })
  @Problems('shift-not-found')
  async portalGet(@CurrentPortalUser() user: PortalPrincipal, @Param('shiftId', ResourceIdPipe) shiftId: string, @Query() _query: ReadQuery): Promise<ShiftView> {
    return toShiftView(await this.queries.portalGet(user, 'shift', shiftId));
  }
}
