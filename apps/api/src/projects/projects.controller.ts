import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { PageQuery, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Problems } from '../http/problem-catalog';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import {
  AddClientCompanyToProject,
  AddClientUserToProject,
  AddContactToProjects,
  ArchiveProject,
  ChangeClientUserRate,
  CloneProjectPermissions,
  CreateProject,
  CustomizeProjectPermissions,
  RemoveClientCompanyFromProject,
  RemoveClientUserFromProject,
  ResetProjectPermissions,
  SetClientUserPortalRate,
  SetPrimaryClient,
  UpdateProject,
} from './projects.commands';
import { ConvertDealToProject } from './deal-conversion.commands';
import {
  AddClientCompanyDto,
  AddClientUserDto,
  AddContactToProjectsDto,
  ChangeClientUserRateDto,
  ClientUserChanged,
  ClientUserRemoved,
  ClientUserView,
  ClientUserWritten,
  ClonedPermissionsView,
  ClonePermissionsDto,
  ContactProjectPage,
  ContactProjectsWritten,
  CreateProjectDto,
  CustomizePermissionsDto,
  DealConvertedView,
  DealDto,
  EffectivePermissionsView,
  ListProjectsQuery,
  PermissionsQuery,
  PermissionsWritten,
  PortalRateWritten,
  ProjectPage,
  ProjectView,
  ProjectWritten,
  RemoveClientUserDto,
  SetPortalRateDto,
  SetPrimaryClientDto,
  UpdateProjectDto,
} from './projects.dto';
import { ProjectsQueries } from './projects.queries';

/**
 * Projects: the client companies in each (one of them the primary client), the client users
 * who follow it in the portal (with an hourly rate where it bills by staff hours), and their
 * permissions there (their user type's, or customized for the project).
 */
@ApiTags('projects')
@Controller('v1')
export class ProjectsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: ProjectsQueries,
  ) {}

  @Post('projects')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Create a project (CreateProject): name and billing method (staff-hours, fixed, none)' })
  @ApiCreatedResponse({ type: ProjectWritten })
  create(@StaffContext() context: CommandContext, @Body() body: CreateProjectDto): Promise<ProjectWritten> {
    return this.commands.execute(new CreateProject(context, body));
  }

  @Post('projects/from-deal')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Convert a CRM deal into a project (ConvertDealToProject)',
    description:
      'The project named like the deal (not archived), else a new one; its company (by id, or by name: matched with the directory, else registered) becomes the primary client, or a plain client where the project already has a primary; its contacts (by id, by email, else added to the company) become client users, and those without portal access are invited. Converting the same deal again writes nothing new.',
  })
  @ApiOkResponse({ type: DealConvertedView })
  @Problems('client-not-found', 'contact-not-found', 'portal-not-found', 'several-projects-named', 'several-companies-named', 'several-contacts', 'client-archived', 'project-archived', 'unknown-user-type')
  fromDeal(@StaffContext() context: CommandContext, @Body() body: DealDto): Promise<DealConvertedView> {
    return this.commands.execute(new ConvertDealToProject(context, body));
  }

  @Get('projects')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List projects (the current ones, or archived=true), ordered by id; or those a client company is in' })
  @ApiOkResponse({ type: ProjectPage })
  list(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListProjectsQuery): Promise<ProjectPage> {
    return this.queries.list(principal.organizationId, query);
  }

  @Get('projects/:projectId')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A project with its client companies (which is the primary client) and client users' })
  @ApiOkResponse({ type: ProjectView })
  @Problems('project-not-found')
  get(@CurrentStaff() principal: StaffPrincipal, @Param('projectId', ResourceIdPipe) projectId: string, @Query() _query: ReadQuery): Promise<ProjectView> {
    return this.queries.project(principal.organizationId, projectId);
  }

  @Patch('projects/:projectId')
  @Staff('directory:write')
  @ApiOperation({ summary: "Rename a project or change its billing method (UpdateProject); leaving staff-hours billing ends the project's own rates" })
  @ApiOkResponse({ type: ProjectWritten })
  @Problems('project-not-found', 'project-archived')
  update(@StaffContext() context: CommandContext, @Param('projectId', ResourceIdPipe) projectId: string, @Body() body: UpdateProjectDto): Promise<ProjectWritten> {
    return this.commands.execute(new UpdateProject(context, projectId, body));
  }

  @Post('projects/:projectId/archive')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Archive a project (ArchiveProject): it leaves the list and takes no more changes or documents; its client users keep seeing it' })
  @ApiOkResponse({ type: ProjectWritten })
  @Problems('project-not-found')
  archive(@StaffContext() context: CommandContext, @Param('projectId', ResourceIdPipe) projectId: string): Promise<ProjectWritten> {
    return this.commands.execute(new ArchiveProject(context, projectId));
  }

  @Post('projects/:projectId/clients')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Add a client company to a project (AddClientCompanyToProject): the first one becomes the primary client unless primary is false' })
  @ApiOkResponse({ type: ProjectWritten })
  @Problems('project-not-found', 'client-not-found', 'project-archived', 'client-archived')
  addClient(@StaffContext() context: CommandContext, @Param('projectId', ResourceIdPipe) projectId: string, @Body() body: AddClientCompanyDto): Promise<ProjectWritten> {
    return this.commands.execute(new AddClientCompanyToProject(context, projectId, body.clientId.toLowerCase(), body.primary));
  }

  @Delete('projects/:projectId/clients/:clientId')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Remove a client company from a project (RemoveClientCompanyFromProject)',
    description: "Its client users leave the project (their permissions there end at once, their sessions included). Removing the primary client leaves the project without one until another is set.",
  })
  @ApiOkResponse({ type: ProjectWritten })
  @Problems('project-not-found', 'project-client-not-found', 'project-archived')
  removeClient(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('clientId', ResourceIdPipe) clientId: string,
  ): Promise<ProjectWritten> {
    return this.commands.execute(new RemoveClientCompanyFromProject(context, projectId, clientId));
  }

  @Put('projects/:projectId/primary-client')
  @Staff('directory:write')
  @ApiOperation({ summary: "Set the project's primary client (SetPrimaryClient): one of its client companies; the one its invoices are addressed to" })
  @ApiOkResponse({ type: ProjectWritten })
  @Problems('project-not-found', 'project-archived', 'client-not-in-project')
  setPrimary(@StaffContext() context: CommandContext, @Param('projectId', ResourceIdPipe) projectId: string, @Body() body: SetPrimaryClientDto): Promise<ProjectWritten> {
    return this.commands.execute(new SetPrimaryClient(context, projectId, body.clientId.toLowerCase()));
  }

  @Post('projects/:projectId/client-users')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Add a contact of a client company of the project as a client user (AddClientUserToProject), with an optional hourly rate',
    description: 'A rate only where the project bills by staff hours (422 rate-not-applicable). A contact without access to the portal is invited (the email lists the project); one without an email address is added, not invited.',
  })
  @ApiCreatedResponse({ type: ClientUserWritten })
  @Problems('project-not-found', 'contact-not-found', 'portal-not-found', 'project-archived', 'client-user-exists', 'portal-user-limit-reached', 'client-not-in-project', 'contact-not-of-client', 'rate-not-applicable', 'invalid-amount', 'unknown-currency', 'unknown-user-type')
  addClientUser(@StaffContext() context: CommandContext, @Param('projectId', ResourceIdPipe) projectId: string, @Body() body: AddClientUserDto): Promise<ClientUserWritten> {
    return this.commands.execute(new AddClientUserToProject(context, projectId, body));
  }

  @Get('projects/:projectId/client-users/:contactId')
  @Staff('read-models:read')
  @ApiOperation({ summary: "A client user of the project: its project rate and the rate that applies (the project's, else its portal-level rate)" })
  @ApiOkResponse({ type: ClientUserView })
  @Problems('project-not-found', 'client-user-not-found')
  clientUser(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() _query: ReadQuery,
  ): Promise<ClientUserView> {
    return this.queries.clientUser(principal.organizationId, projectId, contactId);
  }

  @Patch('projects/:projectId/client-users/:contactId')
  @Staff('directory:write')
  @ApiOperation({ summary: "Change a client user's project rate (ChangeClientUserRate); null: its portal-level rate applies" })
  @ApiOkResponse({ type: ClientUserChanged })
  @Problems('project-not-found', 'client-user-not-found', 'project-archived', 'rate-not-applicable', 'invalid-amount', 'unknown-currency')
  changeRate(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: ChangeClientUserRateDto,
  ): Promise<ClientUserChanged> {
    return this.commands.execute(new ChangeClientUserRate(context, projectId, contactId, body.hourlyRate));
  }

  @Delete('projects/:projectId/client-users/:contactId')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Remove a client user from the project (RemoveClientUserFromProject), optionally telling the person by email (notify)',
    description: "Its permissions in the project end at once, its sessions included: the project's documents answer 404 to it on its next request.",
  })
  @ApiOkResponse({ type: ClientUserRemoved })
  @Problems('project-not-found', 'client-user-not-found')
  removeClientUser(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: RemoveClientUserDto,
  ): Promise<ClientUserRemoved> {
    return this.commands.execute(new RemoveClientUserFromProject(context, projectId, contactId, body.notify === true));
  }

  @Get('projects/:projectId/client-users/:contactId/permissions')
  @Staff('read-models:read')
  @ApiOperation({
    summary: "A client user's effective permissions in the project, and their source: its user type (in the portal given, the organization's first by default), or this project's customization (cloned from whom)",
  })
  @ApiOkResponse({ type: EffectivePermissionsView })
  @Problems('project-not-found', 'client-user-not-found', 'portal-not-found')
  permissions(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PermissionsQuery,
  ): Promise<EffectivePermissionsView> {
    return this.queries.effectivePermissions(principal.organizationId, projectId, contactId, query.portalId?.toLowerCase());
  }

  @Put('projects/:projectId/client-users/:contactId/permissions')
  @Staff('portal-access:write')
  @ApiOperation({ summary: "Customize a client user's permissions in this project, module by module (CustomizeProjectPermissions)" })
  @ApiOkResponse({ type: PermissionsWritten })
  @Problems('project-not-found', 'client-user-not-found', 'project-archived', 'permission-needs-view')
  customize(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: CustomizePermissionsDto,
  ): Promise<PermissionsWritten> {
    return this.commands.execute(new CustomizeProjectPermissions(context, projectId, contactId, body.modules as Record<string, Record<string, boolean>>));
  }

  @Delete('projects/:projectId/client-users/:contactId/permissions')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: "Remove the customization (ResetProjectPermissions): the user's user type permissions apply again" })
  @ApiOkResponse({ type: PermissionsWritten })
  @Problems('project-not-found', 'client-user-not-found', 'project-archived')
  reset(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
  ): Promise<PermissionsWritten> {
    return this.commands.execute(new ResetProjectPermissions(context, projectId, contactId));
  }

  @Post('projects/:projectId/client-users/:contactId/permissions/clone')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: "Clone this user's customization to other client users of the project (CloneProjectPermissions)" })
  @ApiOkResponse({ type: ClonedPermissionsView })
  @Problems('project-not-found', 'client-user-not-found', 'project-archived', 'permissions-not-customized', 'invalid-clone-targets')
  clone(
    @StaffContext() context: CommandContext,
    @Param('projectId', ResourceIdPipe) projectId: string,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: ClonePermissionsDto,
  ): Promise<ClonedPermissionsView> {
    return this.commands.execute(new CloneProjectPermissions(context, projectId, contactId, body.contactIds));
  }

  @Post('contacts/:contactId/projects')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary: 'Add a contact to several projects at once as a client user (AddClientUserToProject in each)',
    description: 'Every project is checked before the first is written. A contact without portal access is invited once, the email listing the projects.',
  })
  @ApiOkResponse({ type: ContactProjectsWritten })
  @Problems('project-not-found', 'contact-not-found', 'portal-not-found', 'project-archived', 'client-user-exists', 'client-not-in-project', 'rate-not-applicable', 'unknown-user-type')
  addToProjects(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: AddContactToProjectsDto,
  ): Promise<ContactProjectsWritten> {
    return this.commands.execute(new AddContactToProjects(context, contactId, body));
  }

  @Get('contacts/:contactId/projects')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'The projects a contact is a client user of (its project rate, whether its permissions there are customized), and its portal-level rate' })
  @ApiOkResponse({ type: ContactProjectPage })
  @Problems('contact-not-found')
  contactProjects(@CurrentStaff() principal: StaffPrincipal, @Param('contactId', ResourceIdPipe) contactId: string, @Query() query: PageQuery): Promise<ContactProjectPage> {
    return this.queries.contactProjects(principal.organizationId, contactId, query);
  }

  @Put('contacts/:contactId/hourly-rate')
  @Staff('directory:write')
  @ApiOperation({ summary: "Set a client user's portal-level hourly rate (SetClientUserPortalRate): it applies in projects billed by staff hours that have no rate of their own for it" })
  @ApiOkResponse({ type: PortalRateWritten })
  @Problems('contact-not-found', 'invalid-amount', 'unknown-currency')
  setPortalRate(@StaffContext() context: CommandContext, @Param('contactId', ResourceIdPipe) contactId: string, @Body() body: SetPortalRateDto): Promise<PortalRateWritten> {
    return this.commands.execute(new SetClientUserPortalRate(context, contactId, body.hourlyRate));
  }
}
