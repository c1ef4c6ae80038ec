import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { contact, contactStream, portalAccessStream, portalAccess } from '@app/domain';
import { PersonalDataVault } from '@app/event-store';
import { PORTAL_ACCESS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { Staff } from '../auth/access';
import { StaffContext } from '../auth/principal';
import { READ_STORE } from '../infrastructure/tokens';
import { RevokePortalAccess } from '../portal-access/portal-access.commands';

export class ErasedResponse {
  contactId!: string;
  /** Portal accesses revoked with the erasure. */
  revokedAccesses!: number;
  position!: number;
}

/**
 * A contact asked to be forgotten (crypto-shredding): its portal accesses are revoked, a
 * ContactErased event is recorded, then its key is destroyed. The history stays whole and
 * verifiable; its personal data reads `[erased]` everywhere from then on.
 */
@ApiTags('directory')
@Controller('v1/contacts')
export class ErasureController {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly vault: PersonalDataVault,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Post(':contactId/erase')
  @HttpCode(200)
  @Staff('organization:manage')
  @ApiOperation({
    summary: 'Erase a contact’s personal data at its request (its key is destroyed; history kept, reading [erased])',
    description: 'Admin only. Idempotent: erasing again answers the same. Nothing more may be done with the contact afterwards (410 contact-erased).',
  })
  @ApiOkResponse({ type: ErasedResponse })
  async erase(@StaffContext() context: CommandContext, @Param('contactId', ResourceIdPipe) contactId: string): Promise<ErasedResponse> {
    const loaded = await this.executor.load(contactStream(contactId), contact, context.organizationId);
    let revokedAccesses = 0;
    let position = loaded.position;
    const accessIds: string[] = [];
    if (!loaded.state.erased) {
      const accesses = await this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: context.organizationId, contactId }, limit: 1_000 });
      for (const access of accesses) {
        accessIds.push(access.id);
        const state = (await this.executor.load(portalAccessStream(access.id), portalAccess, context.organizationId)).state;
        if (state.status && state.status !== 'Revoked') {
          const revoked = await this.commands.execute(new RevokePortalAccess(context, contactId, 'erased at the person’s request', false, access.portalId as string));
          revokedAccesses += 1;
          position = BigInt(Math.max(Number(position), (revoked as { position: number }).position));
        }
      }
    }
    const erased = await this.executor.execute({ streamName: contactStream(contactId), decider: contact, command: { type: 'EraseContact', accessIds }, context });
    // Destroyed after the event is durable: a retry (the decider answers nothing new) destroys it again.
    await this.vault.erase(contactId);
    if (erased.events.length) position = erased.position;
    return { contactId, revokedAccesses, position: Number(position) };
  }
}
