import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  PortalDocumentVisibility,
  portalUserMaySee,
  shift,
  shiftStream,
  StaffMemberInput,
  timesheet,
  TimesheetCommand,
  TimesheetEntryInput,
  timesheetStream,
} from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { Written, written } from '../commands/written';
import { CommandContext } from '../http/request-context';
import { PortalPrincipal } from '../auth/principal';
import {
  CancelShiftDto,
  PublishShiftDto,
  RejectTimesheetDto,
  ResubmitTimesheetDto,
  SubmitTimesheetDto,
  TimesheetContentDto,
  TimesheetEntryDto,
  UpdateShiftDto,
} from './shifts-timesheets.dto';
import { requireActiveClient } from '../directory/require-active-client';
import { loadOrganization } from '../organizations/organizations';
import { documentProject } from '../projects/document-project';

/** Who acts: staff (the organization), or a portal user (within its own company and visibility). */
export type Actor = { kind: 'staff' } | { kind: 'portal-user'; user: PortalPrincipal };

/** What the organization's own stream says: its time zone and who sees which documents. */
export async function organizationSettingsOf(executor: CommandExecutor, organizationId: string): Promise<{ timeZone: string; visibility: PortalDocumentVisibility }> {
  const state = await loadOrganization(executor, organizationId);
  return { timeZone: state.timeZone, visibility: state.settings.portalDocumentVisibility };
}

/** The event metadata's `onBehalfOf`: the staff member the timesheet is for (its id, or its name without one). */
function onBehalfOf(context: CommandContext, staffMember: { id?: string | null; name: string }): CommandContext {
  const id = staffMember.id?.trim() || staffMember.name.trim();
  return id ? { ...context, onBehalfOf: { kind: 'staff-member', id } } : context;
}

function entriesOf(entries: TimesheetEntryDto[]): TimesheetEntryInput[] {
  return entries.map((e) => ({ date: e.date, start: e.start, end: e.end, breakMinutes: e.breakMinutes, note: e.note }));
}

function staffMemberInput(dto: { name: string; id?: string }): StaffMemberInput {
  return { name: dto.name, id: dto.id ?? null };
}

export class PublishShift extends Command<Written> {
  constructor(readonly context: CommandContext, readonly input: PublishShiftDto) {
    super();
  }
}

@CommandHandler(PublishShift)
export class PublishShiftHandler implements ICommandHandler<PublishShift> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input }: PublishShift): Promise<Written> {
    const clientId = input.clientId.toLowerCase();
    await requireActiveClient(this.executor, context, clientId);
    const shiftId = randomUUID();
    return written(
      shiftId,
      await this.executor.execute({
        streamName: shiftStream(shiftId),
        decider: shift,
        command: {
          type: 'PublishShift',
          shiftId,
          clientId,
          projectId: input.projectId?.toLowerCase() ?? null,
          project: await documentProject(this.executor, context.organizationId, input.projectId?.toLowerCase()),
          staffMember: staffMemberInput(input.staffMember),
          start: input.start,
          end: input.end,
          location: input.location,
          role: input.role,
        },
        context,
      }),
    );
  }
}

export class UpdateShift extends Command<Written> {
  constructor(readonly context: CommandContext, readonly shiftId: string, readonly input: UpdateShiftDto) {
    super();
  }
}

@CommandHandler(UpdateShift)
export class UpdateShiftHandler implements ICommandHandler<UpdateShift> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, shiftId, input }: UpdateShift): Promise<Written> {
    return written(
      shiftId,
      await this.executor.execute({
        streamName: shiftStream(shiftId),
        decider: shift,
        command: {
          type: 'UpdateShift',
          changes: {
            ...(input.staffMember !== undefined ? { staffMember: staffMemberInput(input.staffMember) } : {}),
            ...(input.start !== undefined ? { start: input.start } : {}),
            ...(input.end !== undefined ? { end: input.end } : {}),
            ...(input.location !== undefined ? { location: input.location } : {}),
            ...(input.role !== undefined ? { role: input.role } : {}),
            ...(input.projectId !== undefined ? { projectId: input.projectId?.toLowerCase() ?? null } : {}),
          },
          project: await documentProject(this.executor, context.organizationId, input.projectId?.toLowerCase()),
        },
        context,
      }),
    );
  }
}

export class CancelShift extends Command<Written> {
  constructor(readonly context: CommandContext, readonly shiftId: string, readonly input: CancelShiftDto) {
    super();
  }
}

@CommandHandler(CancelShift)
export class CancelShiftHandler implements ICommandHandler<CancelShift> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, shiftId, input }: CancelShift): Promise<Written> {
    return written(shiftId, await this.executor.execute({ streamName: shiftStream(shiftId), decider: shift, command: { type: 'CancelShift', reason: input.reason }, context }));
  }
}

/** Staff submit for a client company; a portal user creates one for its own company. */
export class SubmitTimesheet extends Command<Written> {
  constructor(
    readonly context: CommandContext,
    readonly actor: Actor,
    readonly input: TimesheetContentDto & Partial<Pick<SubmitTimesheetDto, 'clientId'>>,
  ) {
    super();
  }
}

@CommandHandler(SubmitTimesheet)
export class SubmitTimesheetHandler implements ICommandHandler<SubmitTimesheet> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, actor, input }: SubmitTimesheet): Promise<Written> {
    // A portal user creates timesheets, as their creator, for one of its companies (the first
    // unless it names another of them); staff name the company.
    const clientId = actor.kind === 'portal-user' ? portalUserCompany(actor.user, input.clientId) : input.clientId!.toLowerCase();
    const contactId = actor.kind === 'portal-user' ? actor.user.contactId : null;
    await requireActiveClient(this.executor, context, clientId);
    const { timeZone } = await organizationSettingsOf(this.executor, context.organizationId);
    const timesheetId = randomUUID();
    return written(
      timesheetId,
      await this.executor.execute({
        streamName: timesheetStream(timesheetId),
        decider: timesheet,
        command: {
          type: 'SubmitTimesheet',
          timesheetId,
          clientId,
          contactId,
          projectId: input.projectId?.toLowerCase() ?? null,
          project: await documentProject(this.executor, context.organizationId, input.projectId?.toLowerCase()),
          staffMember: staffMemberInput(input.staffMember),
          entries: entriesOf(input.entries),
          timeZone,
          note: input.note,
        },
        context: onBehalfOf(context, input.staffMember),
      }),
    );
  }
}

/** The company a portal user files a document under: one of its current companies (any other: 404). */
function portalUserCompany(user: PortalPrincipal, requested: string | undefined): string {
  if (requested === undefined) return user.clientId;
  const clientId = requested.toLowerCase();
  if (!user.clientIds.includes(clientId)) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
  return clientId;
}

/**
 * A decision or correction on an existing timesheet. A portal user acts only on what its company
 * has and its visibility lets it see: anything else is "not found", exactly like an unknown id.
 */
abstract class TimesheetChangeHandler {
  constructor(protected readonly executor: CommandExecutor) {}

  protected async change(
    context: CommandContext,
    actor: Actor,
    timesheetId: string,
    command: (timeZone: string) => TimesheetCommand,
    staffMember?: { id?: string | null; name: string },
  ): Promise<Written> {
    const settings = await organizationSettingsOf(this.executor, context.organizationId);
    const { state } = await this.executor.load(timesheetStream(timesheetId), timesheet, context.organizationId);
    if (!state.exists) throw notFound();
    if (actor.kind === 'portal-user' && !portalUserMaySee({ clientId: state.clientId!, contactId: state.contactId }, actor.user, settings.visibility)) {
      throw notFound();
    }
    return written(
      timesheetId,
      await this.executor.execute({
        streamName: timesheetStream(timesheetId),
        decider: timesheet,
        command: command(settings.timeZone),
        context: onBehalfOf(context, staffMember ?? state.staffMember),
      }),
    );
  }
}

function notFound(): DomainError {
  return new DomainError('not-found', 'timesheet-not-found', 'No such timesheet.');
}

export class ApproveTimesheet extends Command<Written> {
  constructor(readonly context: CommandContext, readonly actor: Actor, readonly timesheetId: string) {
    super();
  }
}

@CommandHandler(ApproveTimesheet)
export class ApproveTimesheetHandler extends TimesheetChangeHandler implements ICommandHandler<ApproveTimesheet> {
  constructor(executor: CommandExecutor) {
    super(executor);
  }
  execute({ context, actor, timesheetId }: ApproveTimesheet): Promise<Written> {
    return this.change(context, actor, timesheetId, () => ({ type: 'ApproveTimesheet' }));
  }
}

export class RejectTimesheet extends Command<Written> {
  constructor(readonly context: CommandContext, readonly actor: Actor, readonly timesheetId: string, readonly input: RejectTimesheetDto) {
    super();
  }
}

@CommandHandler(RejectTimesheet)
export class RejectTimesheetHandler extends TimesheetChangeHandler implements ICommandHandler<RejectTimesheet> {
  constructor(executor: CommandExecutor) {
    super(executor);
  }
  execute({ context, actor, timesheetId, input }: RejectTimesheet): Promise<Written> {
    return this.change(context, actor, timesheetId, () => ({ type: 'RejectTimesheet', reason: input.reason }));
  }
}

export class ResubmitTimesheet extends Command<Written> {
  constructor(readonly context: CommandContext, readonly actor: Actor, readonly timesheetId: string, readonly input: ResubmitTimesheetDto) {
    super();
  }
}

@CommandHandler(ResubmitTimesheet)
export class ResubmitTimesheetHandler extends TimesheetChangeHandler implements ICommandHandler<ResubmitTimesheet> {
  constructor(executor: CommandExecutor) {
    super(executor);
  }
  execute({ context, actor, timesheetId, input }: ResubmitTimesheet): Promise<Written> {
    return this.change(context, actor, timesheetId, (timeZone) => ({
      type: 'ResubmitTimesheet',
      entries: entriesOf(input.entries),
      timeZone,
      ...(input.staffMember ? { staffMember: staffMemberInput(input.staffMember) } : {}),
      ...(input.note !== undefined ? { note: input.note } : {}),
    }), input.staffMember);
  }
}

export const SHIFTS_TIMESHEETS_COMMAND_HANDLERS = [
  PublishShiftHandler,
  UpdateShiftHandler,
  CancelShiftHandler,
  SubmitTimesheetHandler,
  ApproveTimesheetHandler,
  RejectTimesheetHandler,
  ResubmitTimesheetHandler,
];
