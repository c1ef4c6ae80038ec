import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BulkInviteHandler } from './bulk-invite.commands';
import { Invitations } from './invitations';
import { PortalAccessMailer } from './portal-access-mailer';
import { PORTAL_ACCESS_COMMAND_HANDLERS } from './portal-access.commands';
import { PortalAccessController, PortalInvitationController } from './portal-access.controller';

@Module({
  imports: [CqrsModule],
  controllers: [PortalAccessController, PortalInvitationController],
  providers: [Invitations, PortalAccessMailer, ...PORTAL_ACCESS_COMMAND_HANDLERS, BulkInviteHandler],
})
export class PortalAccessModule {}
