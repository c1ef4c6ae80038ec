import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { StaffContext } from '../auth/principal';
import { EraseContact } from './audit.commands';

export class ErasedResponse {
  contactId!: string;
  /** Portal accesses revoked with the erasure. */
  revokedAccesses!: number;
  position!: number;
}

/** A contact's erasure at its request (EraseContact, audit.commands.ts). */
@ApiTags('directory')
@Controller('v1/contacts')
export class ErasureController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':contactId/erase')
  @HttpCode(200)
  @Staff('organization:manage')
  @ApiOperation({
    summary: 'Erase a contact’s personal data at its request (its key is destroyed; history kept, reading [erased])',
    description: 'Admin only. Idempotent: erasing again answers the same. Nothing more may be done with the contact afterwards (410 contact-erased).',
  })
  @ApiOkResponse({ type: ErasedResponse })
  erase(@StaffContext() context: CommandContext, @Param('contactId', ResourceIdPipe) contactId: string): Promise<ErasedResponse> {
    return this.commands.execute(new EraseContact(context, contactId));
  }
}
