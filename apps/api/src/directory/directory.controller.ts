import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { StaffContext } from '../auth/principal';
import { AddContact, Created, RegisterClientCompany } from './directory.commands';
import { AddContactDto, CreatedResponse, RegisterClientCompanyDto } from './directory.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller('v1')
export class DirectoryController {
  constructor(private readonly commands: CommandBus) {}

  @Post('clients')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Register a client company (RegisterClientCompany)' })
  @ApiCreatedResponse({ type: CreatedResponse })
  registerClient(@StaffContext() context: CommandContext, @Body() body: RegisterClientCompanyDto): Promise<Created> {
    return this.commands.execute(new RegisterClientCompany(context, body));
  }

  @Post('clients/:clientId/contacts')
  @HttpCode(201)
  @Staff('directory:write')
  @ApiOperation({ summary: 'Add a contact to a client company (AddContact)' })
  @ApiCreatedResponse({ type: CreatedResponse })
  addContact(
    @StaffContext() context: CommandContext,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Body() body: AddContactDto,
  ): Promise<Created> {
    return this.commands.execute(new AddContact(context, clientId, body));
  }
}
