import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
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
import { InviteContact, PortalAccessResult } from '../portal-access/portal-access.commands';
import { Portals, PortalView } from '../portals/portals.service';
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

/** Staff commands on projects, named as users name them. */
export class CreateProject {
  constructor(readonly context: CommandContext, readonly input: CreateProjectDto, readonly projectId: string = randomUUID()) {}
}
export class UpdateProject {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly input: UpdateProjectDto) {}
}
export class ArchiveProject {
  constructor(readonly context: CommandContext, readonly projectId: string) {}
}
export class AddClientCompanyToProject {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string, readonly primary?: boolean) {}
}
/** A company into several projects (a company registered "in" projects); `check`: only see that each would take it. */
export class AddClientCompanyToProjects {
  constructor(readonly context: CommandContext, readonly clientId: string, readonly projectIds: string[], readonly check = false) {}
}
export class SetPrimaryClient {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string) {}
}
export class RemoveClientCompanyFromProject {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly clientId: string) {}
}
export class AddClientUserToProject {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly input: AddClientUserDto) {}
}
/** The same contact into several projects at once (one invitation listing them all). */
export class AddContactToProjects {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly input: AddContactToProjectsDto) {}
}
export class ChangeClientUserRate {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string, readonly hourlyRate: HourlyRateInput | null) {}
}
export class RemoveClientUserFromProject {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string, readonly notify: boolean) {}
}
export class CustomizeProjectPermissions {
  constructor(
    readonly context: CommandContext,
    readonly projectId: string,
    readonly contactId: string,
    readonly modules: Partial<Record<string, Partial<Record<string, boolean>>>>,
  ) {}
}
export class CloneProjectPermissions {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly fromContactId: string, readonly contactIds: string[]) {}
}
export class ResetProjectPermissions {
  constructor(readonly context: CommandContext, readonly projectId: string, readonly contactId: string) {}
}
export class SetClientUserPortalRate {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly hourlyRate: HourlyRateInput | null) {}
}

/** Answers the project's events' position, or the stream's last when nothing changed. */
async function onProject(executor: CommandExecutor, context: CommandContext, projectId: string, command: ProjectCommand): Promise<{ state: ProjectState; position: number }> {
  const { state, position } = await executor.execute({ streamName: projectStream(projectId), decider: project, command, context });
  return { state, position: Number(position) };
}

/** Refuses what the project would refuse, before anything else is written (an invitation, another project). */
async function check(executor: CommandExecutor, context: CommandContext, projectId: string, command: ProjectCommand): Promise<ProjectState> {
  const { state } = await executor.load(projectStream(projectId), project, context.organizationId);
  project.decide(command, state);
  return state;
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
    const invited: PortalAccessResult = await this.commands.execute(
      new InviteContact(context, contactId, { portalId: plan.portal.id, userTypeId: plan.userTypeId, projectIds }),
    );
    return { status: 'invited', portalId: plan.portal.id, emailSent: invited.emailSent };
  }
}

@CommandHandler(CreateProject)
export class CreateProjectHandler implements ICommandHandler<CreateProject, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, input, projectId }: CreateProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'CreateProject', projectId, name: input.name, billingMethod: input.billingMethod });
    return { ...projectView(state), position };
  }
}

@CommandHandler(UpdateProject)
export class UpdateProjectHandler implements ICommandHandler<UpdateProject, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, input }: UpdateProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'UpdateProject', changes: { name: input.name, billingMethod: input.billingMethod } });
    return { ...projectView(state), position };
  }
}

@CommandHandler(ArchiveProject)
export class ArchiveProjectHandler implements ICommandHandler<ArchiveProject, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId }: ArchiveProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ArchiveProject' });
    return { ...projectView(state), position };
  }
}

@CommandHandler(AddClientCompanyToProject)
export class AddClientCompanyToProjectHandler implements ICommandHandler<AddClientCompanyToProject, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId, primary }: AddClientCompanyToProject): Promise<ProjectWritten> {
    const command: ProjectCommand = { type: 'AddClientCompanyToProject', clientId, primary };
    await check(this.executor, context, projectId, command);
    await requireActiveClient(this.executor, context, clientId);
    const { state, position } = await onProject(this.executor, context, projectId, command);
    return { ...projectView(state), position };
  }
}

@CommandHandler(AddClientCompanyToProjects)
export class AddClientCompanyToProjectsHandler implements ICommandHandler<AddClientCompanyToProjects, number> {
  constructor(private readonly executor: CommandExecutor) {}
  /** Every project is checked before the first is written; answers the last position written. */
  async execute({ context, clientId, projectIds, check: checkOnly }: AddClientCompanyToProjects): Promise<number> {
    const ids = [...new Set(projectIds.map((id) => id.toLowerCase()))];
    for (const projectId of ids) await check(this.executor, context, projectId, { type: 'AddClientCompanyToProject', clientId });
    if (checkOnly) return 0;
    let position = 0;
    for (const projectId of ids) position = Math.max(position, (await onProject(this.executor, context, projectId, { type: 'AddClientCompanyToProject', clientId })).position);
    return position;
  }
}

@CommandHandler(SetPrimaryClient)
export class SetPrimaryClientHandler implements ICommandHandler<SetPrimaryClient, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId }: SetPrimaryClient): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'SetPrimaryClient', clientId });
    return { ...projectView(state), position };
  }
}

@CommandHandler(RemoveClientCompanyFromProject)
export class RemoveClientCompanyFromProjectHandler implements ICommandHandler<RemoveClientCompanyFromProject, ProjectWritten> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, clientId }: RemoveClientCompanyFromProject): Promise<ProjectWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'RemoveClientCompanyFromProject', clientId });
    return { ...projectView(state), position };
  }
}

@CommandHandler(AddClientUserToProject)
export class AddClientUserToProjectHandler implements ICommandHandler<AddClientUserToProject, ClientUserWritten> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: ProjectInvitations,
    private readonly queries: ProjectsQueries,
  ) {}

  async execute({ context, projectId, input }: AddClientUserToProject): Promise<ClientUserWritten> {
    const contactId = input.contactId.toLowerCase();
    const { person, clientIds } = await requireContact(this.executor, context.organizationId, contactId);
    const command: ProjectCommand = {
      type: 'AddClientUserToProject',
      contactId,
      contactClientIds: clientIds,
      clientId: input.clientId?.toLowerCase() ?? null,
      hourlyRate: input.hourlyRate ?? null,
    };
    // Every rule first; then the invitation (refused as a whole, or sent); then the project.
    const before = await check(this.executor, context, projectId, command);
    const plan = await this.invitations.plan(context, contactId, person.email, input);
    const invitation = await this.invitations.carryOut(context, contactId, plan, [projectId]);
    const { state, position } = await onProject(this.executor, context, projectId, command);
    return { ...(await this.queries.clientUser(context.organizationId, projectId, contactId, state)), position, invitation };
  }
}

@CommandHandler(AddContactToProjects)
export class AddContactToProjectsHandler implements ICommandHandler<AddContactToProjects, ContactProjectsWritten> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: ProjectInvitations,
    private readonly queries: ProjectsQueries,
  ) {}

  async execute({ context, contactId, input }: AddContactToProjects): Promise<ContactProjectsWritten> {
    const { person, clientIds } = await requireContact(this.executor, context.organizationId, contactId);
    const projectIds = [...new Set(input.projectIds.map((id) => id.toLowerCase()))];
    const command: ProjectCommand = { type: 'AddClientUserToProject', contactId, contactClientIds: clientIds, hourlyRate: input.hourlyRate ?? null };
    for (const projectId of projectIds) await check(this.executor, context, projectId, command);
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

@CommandHandler(ChangeClientUserRate)
export class ChangeClientUserRateHandler implements ICommandHandler<ChangeClientUserRate, ClientUserChanged> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId, hourlyRate }: ChangeClientUserRate): Promise<ClientUserChanged> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ChangeClientUserRate', contactId, hourlyRate });
    return { ...(await this.queries.clientUser(context.organizationId, projectId, contactId, state)), position };
  }
}

@CommandHandler(RemoveClientUserFromProject)
export class RemoveClientUserFromProjectHandler implements ICommandHandler<RemoveClientUserFromProject, ClientUserRemoved> {
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

@CommandHandler(CustomizeProjectPermissions)
export class CustomizeProjectPermissionsHandler implements ICommandHandler<CustomizeProjectPermissions, PermissionsWritten> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId, modules }: CustomizeProjectPermissions): Promise<PermissionsWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'CustomizeProjectPermissions', contactId, modules });
    return { ...(await this.queries.effectivePermissions(context.organizationId, projectId, contactId, undefined, state)), position };
  }
}

@CommandHandler(CloneProjectPermissions)
export class CloneProjectPermissionsHandler implements ICommandHandler<CloneProjectPermissions, ClonedPermissionsView> {
  constructor(private readonly executor: CommandExecutor) {}
  async execute({ context, projectId, fromContactId, contactIds }: CloneProjectPermissions): Promise<ClonedPermissionsView> {
    const toContactIds = [...new Set(contactIds.map((id) => id.toLowerCase()))];
    const { position } = await onProject(this.executor, context, projectId, { type: 'CloneProjectPermissions', fromContactId, toContactIds });
    return { projectId, fromContactId, contactIds: toContactIds, position };
  }
}

@CommandHandler(ResetProjectPermissions)
export class ResetProjectPermissionsHandler implements ICommandHandler<ResetProjectPermissions, PermissionsWritten> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly queries: ProjectsQueries,
  ) {}
  async execute({ context, projectId, contactId }: ResetProjectPermissions): Promise<PermissionsWritten> {
    const { state, position } = await onProject(this.executor, context, projectId, { type: 'ResetProjectPermissions', contactId });
    return { ...(await this.queries.effectivePermissions(context.organizationId, projectId, contactId, undefined, state)), position };
  }
}

@CommandHandler(SetClientUserPortalRate)
export class SetClientUserPortalRateHandler implements ICommandHandler<SetClientUserPortalRate, PortalRateWritten> {
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
