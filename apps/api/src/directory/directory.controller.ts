import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { StaffContext } from '../auth/principal';
import {
  AddContact,
  ArchiveClientCompany,
  Archived,
  AssociateContact,
  ChangePrimaryClient,
  DissociateContact,
  Dissociated,
  RegisterClientCompany,
  UpdateClientCompany,
  UpdateContact,
} from './directory.commands';
import {
  AddContactDto,
  ArchivedResponse,
  ClientReferenceDto,
  DissociatedResponse,
  DissociateQuery,
  RegisterClientCompanyDto,
  UpdateClientCompanyDto,
  UpdateContactDto,
} from './directory.dto';
import { CreatedResponse, WrittenResponse } from '../http/responses';
import { Problems } from '../http/problem-catalog';
import { Written } from '../commands/written';
import { AddClientCompanyToProjects } from '../projects/projects.commands';

@ApiTags('directory')
@Controller('v1')
export class DirectoryController {
  constructor(private readonly commands: CommandBus) {}

  @Post('clients')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Register a client company (RegisterClientCompany), optionally into projects (AddClientCompanyToProject in each)' })
  @ApiCreatedResponse({ type: CreatedResponse })
  @Problems('name-required', 'project-not-found', 'project-archived')
  async registerClient(@StaffContext() context: CommandContext, @Body() body: RegisterClientCompanyDto): Promise<Written> {
    const { projectIds, ...company } = body;
    if (!projectIds?.length) return this.commands.execute(new RegisterClientCompany(context, company));
    // Every project is checked before the company is registered: a refused project writes nothing.
    const clientId = randomUUID();
    await this.commands.execute(new AddClientCompanyToProjects(context, clientId, projectIds, true));
    const created = await this.commands.execute(new RegisterClientCompany(context, company, clientId));
    const position = await this.commands.execute(new AddClientCompanyToProjects(context, clientId, projectIds));
    return { id: created.id, position: Math.max(created.position, position) };
  }

  @Patch('clients/:clientId')
  @Staff('directory:write')
  @ApiOperation({ summary: 'Edit a client company: name, email, web address, postal address (UpdateClientCompany)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('client-not-found', 'client-archived', 'name-required')
  updateClient(
    @StaffContext() context: CommandContext,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Body() body: UpdateClientCompanyDto,
  ): Promise<Written> {
    return this.commands.execute(new UpdateClientCompany(context, clientId, body));
  }

  @Delete('clients/:clientId')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary:
      'Archive a client company (ArchiveClientCompany): history stays, it leaves the lists; its contacts whose only company it was lose portal access, the others keep it for their other companies',
  })
  @ApiOkResponse({ type: ArchivedResponse })
  @Problems('client-not-found')
  archiveClient(@StaffContext() context: CommandContext, @Param('clientId', ResourceIdPipe) clientId: string): Promise<Archived> {
    return this.commands.execute(new ArchiveClientCompany(context, clientId));
  }

  @Post('clients/:clientId/contacts')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Add a contact to a client company, its primary company (AddContact)' })
  @ApiCreatedResponse({ type: CreatedResponse })
  @Problems('client-not-found', 'client-archived', 'name-required')
  addContact(
    @StaffContext() context: CommandContext,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Body() body: AddContactDto,
  ): Promise<Written> {
    return this.commands.execute(new AddContact(context, clientId, body));
  }

  @Patch('contacts/:contactId')
  @Staff('directory:write')
  @ApiOperation({ summary: 'Edit a contact: name, email, phone (UpdateContact)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('contact-not-found', 'name-required', 'contact-erased')
  updateContact(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: UpdateContactDto,
  ): Promise<Written> {
    return this.commands.execute(new UpdateContact(context, contactId, body));
  }

  @Post('contacts/:contactId/associations')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Associate a contact with another client company (AssociateContact)' })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('contact-not-found', 'client-not-found', 'client-archived', 'contact-erased')
  associate(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: ClientReferenceDto,
  ): Promise<Written> {
    return this.commands.execute(new AssociateContact(context, contactId, body.clientId.toLowerCase()));
  }

  @Delete('contacts/:contactId/associations/:clientId')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({
    summary:
      "Dissociate a contact from a client company (DissociateContact); never from its primary company (409). documents=move: the contact's documents for that company (created by it or addressed to it) move to its primary company",
  })
  @ApiOkResponse({ type: DissociatedResponse })
  @Problems('contact-not-found', 'cannot-dissociate-primary-client', 'not-associated', 'contact-erased')
  dissociate(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Query() query: DissociateQuery,
  ): Promise<Dissociated> {
    return this.commands.execute(new DissociateContact(context, contactId, clientId, query.documents ?? 'keep'));
  }

  @Put('contacts/:contactId/primary-client')
  @HttpCode(200)
  @Staff('directory:write')
  @ApiOperation({ summary: "Change a contact's primary client company (ChangePrimaryClient)" })
  @ApiOkResponse({ type: WrittenResponse })
  @Problems('contact-not-found', 'client-not-found', 'client-archived', 'contact-erased')
  changePrimary(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Body() body: ClientReferenceDto,
  ): Promise<Written> {
    return this.commands.execute(new ChangePrimaryClient(context, contactId, body.clientId.toLowerCase()));
  }
}
