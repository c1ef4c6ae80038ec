import { Inject, Injectable, Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  assertMayAddClientUser,
  assertProjectOpen,
  clientUserRate,
  clientUserRateStream,
  ContactState,
  DomainError,
  formatHourlyRate,
  HourlyRateInput,
  portalAccess,
  portalAccessId,
  portalAccessStream,
  project,
  ProjectCommand,
  ProjectState,
  projectStream,
} from '@app/domain';
import { Mailer, projectRemovalEmail } from '@app/notifications';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { currentCompanies } from '../directory/contact-companies';
import { requireActiveClient } from '../directory/require-active-client';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG } from '../infrastructure/tokens';
import { Organizations } from '../organizations/organizations';
import { InviteContact } from '../portal-access/portal-access.commands';
import { Portals, PortalView } from '../portal-configuration/portals.service';
import {
  AddClientUserDto,
  AddContactToProjectsDto,
  ClientUserChanged,
  ClientUserRemoved,
  ClientUserWritten,
  ClonedPermissionsView,
  ContactProjectsWritten,
  CreateProjectDto,
  InvitationOutcome,
  PermissionsWritten,
  PortalRateWritten,
  ProjectWritten,
  UpdateProjectDto,
} from './projects.dto';
import { projectView, ProjectsQueries } from './projects.queries';

/*
 * Staff commands on projects, named as users name them, each with its handler. The project's
 * rules are the domain's (libs/domain/src/project.ts); a command that writes elsewhere first
 * (an invitation, another project) checks them with the domain's guards before.
 */

/** Answers the project's events' position, or the stream's last when nothing changed. */
async function onProject(executor: CommandExecutor, context: CommandContext, projectId: string, command: ProjectCommand): Promise<{ state: ProjectState; position: number }> {
  const { state, position } = await executor.execute({ streamName: projectStream(projectId), decider: project, command, context });
  return { state, position: Number(position) };
}

/** The project as its stream tells it to the caller's organization: what the guards check before anything else is written. */
async function projectState(executor: CommandExecutor, context: CommandContext, projectId: string): Promise<ProjectState> {
  return (await executor.load(projectStream(projectId), project, context.organizationId)).state;
}

async function requireContact(executor: CommandExecutor, organizationId: string, contactId: string): Promise<{ person: ContactState; clientIds: string[] }> {
  const found = await currentCompanies(executor, organizationId, contactId);
  if (!found.person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  return found;
}

export interface InvitationPlan {
  portal: PortalView;
  userTypeId?: string;
  outcome: InvitationOutcome['status'];
}

/**
 * Adding a contact without portal access to a project invites it (through the existing
 * InviteContact command, so every rule of invitations holds), naming the projects in the email.
 */
@Injectable()
export class ProjectInvitations {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly commands: CommandBus,
  ) {}

  /** What adding the contact will do about its portal access; an unknown portal or user type is refused here, before any write. */
  async plan(context: CommandContext, contactId: string, email: string | null, target: { portalId?: string; userTypeId?: string }): Promise<InvitationPlan> {
    const portal = await this.portals.resolve(context.organizationId, target.portalId);
    if (target.userTypeId) this.portals.userType(portal, target.userTypeId);
    const { state } = await this.executor.load(portalAccessStream(portalAccessId(portal.id, contactId)), portalAccess, context.organizationId);
    const outcome = state.status !== null && state.status !== 'Revoked' ? 'has-access' : email ? 'invited' : 'no-email';
    return { portal, userTypeId: target.userTypeId, outcome };
  }

  async carryOut(context: CommandContext, contactId: string, plan: InvitationPlan, projectIds: string[]): Promise<InvitationOutcome> {
    if (plan.outcome !== 'invited') return { status: plan.outcome, portalId: plan.portal.id };
    const invited = await this.commands.execute(
      new InviteContact(context, contactId, { portalId: plan.portal.id, userTypeId: plan.userTypeId, projectIds }),
    );
    return { status: 'invited', portalId: plan.portal.id, emailSent: invited.emailSent };
  }
}

export class CreateProject extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly input: CreateProjectDto, readonly projectId: string = randomUUID()) {
    super();
  }
}

@CommandHandler(CreateProject)
export class CreateProjectHandler implements ICommandHandler<CreateProject> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, input, projectId }: CreateProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'CreateProject', projectId, name: input.name, billingMethod: input.billingMethod });
    return { ...projectView(state), position };
  }
}

export class UpdateProject extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly input: UpdateProjectDto) {
    super();
  }
}

@CommandHandler(UpdateProject)
export class UpdateProjectHandler implements ICommandHandler<UpdateProject> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, input }: UpdateProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'UpdateProject', changes: { name: input.name, billingMethod: input.billingMethod } });
    return { ...projectView(state), position };
  }
}

export class ArchiveProject extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string) {
    super();
  }
}

@CommandHandler(ArchiveProject)
export class ArchiveProjectHandler implements ICommandHandler<ArchiveProject> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId }: ArchiveProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ArchiveProject' });
    return { ...projectView(state), position };
  }
}

export class AddClientCompanyToProject extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string, readonly primary?: boolean) {
    super();
  }
}

@CommandHandler(AddClientCompanyToProject)
export class AddClientCompanyToProjectHandler implements ICommandHandler<AddClientCompanyToProject> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId, primary }: AddClientCompanyToProject): Promise<ProjectWritten> {
    assertProjectOpen(await projectState(this.executor, context, projectId));
    await requireActiveClient(this.executor, context, clientId);
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'AddClientCompanyToProject', clientId, primary });
    return { ...projectView(state), position };
  }
}

/** A company into several projects (a company registered "in" projects); `check`: only see that each would take it. */
export class AddClientCompanyToProjects extends Command<number> {
  constructor(readonly context: CommandContext, readonly clientId: string, readonly projectIds: string[], readonly check = false) {
    super();
  }
}

@CommandHandler(AddClientCompanyToProjects)
export class AddClientCompanyToProjectsHandler implements ICommandHandler<AddClientCompanyToProjects> {
  constructor(private readonly executor: CommandExecutor) {}
  /** Every project is checked before the first is written; answers the last position written. */
  async execute({ context, clientId, projectIds, check: checkOnly }: AddClientCompanyToProjects): Promise<number> {
    const ids = [...new Set(projectIds.map((id) => id.toLowerCase()))];
    for (const projectId of ids) assertProjectOpen(await projectState(this.executor, context, projectId));
    if (checkOnly) return 0;
    let position = 0;
    for (const projectId of ids) position = Math.max(position, (await onProject(this.executor, context, projectId, { type: 'AddClientCompanyToProject', clientId })).position);
    return position;
  }
}

export class SetPrimaryClient extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string) {
    super();
  }
}

@CommandHandler(SetPrimaryClient)
export class SetPrimaryClientHandler implements ICommandHandler<SetPrimaryClient> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId }: SetPrimaryClient): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'SetPrimaryClient', clientId });
    return { ...projectView(state), position };
  }
}

export class RemoveClientCompanyFromProject extends Command<ProjectWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string) {
    super();
  }
}

@CommandHandler(RemoveClientCompanyFromProject)
export class RemoveClientCompanyFromProjectHandler implements ICommandHandler<RemoveClientCompanyFromProject> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId }: RemoveClientCompanyFromProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'RemoveClientCompanyFromProject', clientId });
    return { ...projectView(state), position };
  }
}

export class AddClientUserToProject extends Command<ClientUserWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly input: AddClientUserDto) {
    super();
  }
}

@CommandHandler(AddClientUserToProject)
export class AddClientUserToProjectHandler implements ICommandHandler<AddClientUserToProject> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: ProjectInvitations,
    private readonly queries: ProjectsQueries,
  ) {}

  async execute({ context, projectId, input }: AddClientUserToProject): Promise<ClientUserWritten> {
    const contactId = input.contactId.toLowerCase();
    const { person, clientIds } = await requireContact(this.executor, context.organizationId, contactId);
    const command = {
      type: 'AddClientUserToProject' as const,
      contactId,
      contactClientIds: clientIds,
      clientId: input.clientId?.toLowerCase() ?? null,
      hourlyRate: input.hourlyRate ?? null,
    };
    // Every rule first; then the invitation (refused as a whole, or sent); then the project.
    assertMayAddClientUser(await projectState(this.executor, context, projectId), command);
    const plan = await this.invitations.plan(context, contactId, person.email, input);
    const invitation = await this.invitations.carryOut(context, contactId, plan, [projectId]);
    const { state, position } = await onProject(this.executor, context, projectId, command);
    return { ...(await this.queries.clientUser(context.organizationId, projectId, contactId, state)), position, invitation };
  }
}

/** The same contact into several projects at once (one invitation listing them all). */
export class AddContactToProjects extends Command<ContactProjectsWritten> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly input: AddContactToProjectsDto) {
    super();
  }
}

@CommandHandler(AddContactToProjects)
export class AddContactToProjectsHandler implements ICommandHandler<AddContactToProjects> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: ProjectInvitations,
    private readonly queries: ProjectsQueries,
  ) {}

  async execute({ context, contactId, input }: AddContactToProjects): Promise<ContactProjectsWritten> {
    const { person, clientIds } = await requireContact(this.executor, context.organizationId, contactId);
    const projectIds = [...new Set(input.projectIds.map((id) => id.toLowerCase()))];
    const command = { type: 'AddClientUserToProject' as const, contactId, contactClientIds: clientIds, hourlyRate: input.hourlyRate ?? null };
    for (const projectId of projectIds) assertMayAddClientUser(await projectState(this.executor, context, projectId), command);
    const plan = await this.invitations.plan(context, contactId, person.email, input);
    const invitation = await this.invitations.carryOut(context, contactId, plan, projectIds);
    let position = 0;
    const projects = [];
    for (const projectId of projectIds) {
      const written = await onProject(this.executor, context, projectId, command);
      position = Math.max(position, written.position);
      projects.push(await this.queries.clientUser(context.organizationId, projectId, contactId, written.state));
    }
    return { contactId, projects, invitation, position };
  }
}

export class ChangeClientUserRate extends Command<ClientUserChanged> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string, readonly hourlyRate: HourlyRateInput | null) {
    super();
  }
}

@CommandHandler(ChangeClientUserRate)
export class ChangeClientUserRateHandler implements ICommandHandler<ChangeClientUserRate> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId, hourlyRate }: ChangeClientUserRate): Promise<ClientUserChanged> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ChangeClientUserRate', contactId, hourlyRate });
    return { ...(await this.queries.clientUser(context.organizationId, projectId, contactId, state)), position };
  }
}

export class RemoveClientUserFromProject extends Command<ClientUserRemoved> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string, readonly notify: boolean) {
    super();
  }
}

@CommandHandler(RemoveClientUserFromProject)
export class RemoveClientUserFromProjectHandler implements ICommandHandler<RemoveClientUserFromProject> {
  private readonly logger = new Logger('Projects');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly organizations: Organizations,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, projectId, contactId, notify }: RemoveClientUserFromProject): Promise<ClientUserRemoved> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'RemoveClientUserFromProject', contactId, notify });
    const written = { ...projectView(state), position };
    return notify ? { ...written, emailSent: await this.notice(context.organizationId, contactId, state.name) } : written;
  }

  /** The email telling the person (recorded in the outbox, sent in the background); false when it has no address. */
  private async notice(organizationId: string, contactId: string, projectName: string): Promise<boolean> {
    const { person } = await requireContact(this.executor, organizationId, contactId);
    if (!person.email) return false;
    const portal = await this.portals.resolve(organizationId);
    const access = (await this.executor.load(portalAccessStream(portalAccessId(portal.id, contactId)), portalAccess, organizationId)).state;
    const organization = await this.organizations.get(organizationId);
    try {
      await this.mailer.send(
        projectRemovalEmail({
          to: person.email,
          contactName: person.name ?? person.email,
          organizationName: organization.name ?? this.config.organizationName,
          projectName,
          language: access.preferences.language ?? access.invitationLanguage ?? portal.defaultLanguage,
        }),
      );
      return true;
    } catch (error) {
      this.logger.error(`Project removal notice could not be recorded: ${(error as Error).message}`);
      return false;
    }
  }
}

export class CustomizeProjectPermissions extends Command<PermissionsWritten> {
  constructor(
    readonly context: CommandContext,
    readonly projectId: string,
    readonly contactId: string,
    readonly modules: Partial<Record<string, Partial<Record<string, boolean>>>>,
  ) {
    super();
  }
}

@CommandHandler(CustomizeProjectPermissions)
export class CustomizeProjectPermissionsHandler implements ICommandHandler<CustomizeProjectPermissions> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId, modules }: CustomizeProjectPermissions): Promise<PermissionsWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'CustomizeProjectPermissions', contactId, modules });
    return { ...(await this.queries.effectivePermissions(context.organizationId, projectId, contactId, undefined, state)), position };
  }
}

export class CloneProjectPermissions extends Command<ClonedPermissionsView> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly fromContactId: string, readonly contactIds: string[]) {
    super();
  }
}

@CommandHandler(CloneProjectPermissions)
export class CloneProjectPermissionsHandler implements ICommandHandler<CloneProjectPermissions> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, fromContactId, contactIds }: CloneProjectPermissions): Promise<ClonedPermissionsView> {
    const toContactIds = [...new Set(contactIds.map((id) => id.toLowerCase()))];
    const { position } = await onProject(this.executor, context, projectId, { type: 'CloneProjectPermissions', fromContactId, toContactIds });
    return { projectId, fromContactId, contactIds: toContactIds, position };
  }
}

export class ResetProjectPermissions extends Command<PermissionsWritten> {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string) {
    super();
  }
}

@CommandHandler(ResetProjectPermissions)
export class ResetProjectPermissionsHandler implements ICommandHandler<ResetProjectPermissions> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId }: ResetProjectPermissions): Promise<PermissionsWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ResetProjectPermissions', contactId });
    return { ...(await this.queries.effectivePermissions(context.organizationId, projectId, contactId, undefined, state)), position };
  }
}

export class SetClientUserPortalRate extends Command<PortalRateWritten> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly hourlyRate: HourlyRateInput | null) {
    super();
  }
}

@CommandHandler(SetClientUserPortalRate)
export class SetClientUserPortalRateHandler implements ICommandHandler<SetClientUserPortalRate> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, contactId, hourlyRate }: SetClientUserPortalRate): Promise<PortalRateWritten> {
    await requireContact(this.executor, context.organizationId, contactId);
    const { state, position } = await this.executor.execute({
      streamName: clientUserRateStream(contactId),
      decider: clientUserRate,
      command: { type: 'SetClientUserPortalRate', contactId, hourlyRate },
      context,
    });
    return { contactId, hourlyRate: formatHourlyRate(state.hourlyRate), position: Number(position) };
  }
}

export const PROJECT_COMMAND_HANDLERS = [
  CreateProjectHandler,
  UpdateProjectHandler,
  ArchiveProjectHandler,
  AddClientCompanyToProjectHandler,
  AddClientCompanyToProjectsHandler,
  SetPrimaryClientHandler,
  RemoveClientCompanyFromProjectHandler,
  AddClientUserToProjectHandler,
  AddContactToProjectsHandler,
  ChangeClientUserRateHandler,
  RemoveClientUserFromProjectHandler,
  CustomizeProjectPermissionsHandler,
  CloneProjectPermissionsHandler,
  ResetProjectPermissionsHandler,
  SetClientUserPortalRateHandler,
];
