import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BulkInviteHandler } from './bulk-invite.commands';
import { Invitations } from './invitations';
import { PortalAccessMailer } from './portal-access-mailer';
import { PORTAL_ACCESS_COMMAND_HANDLERS } from './portal-access.commands';
import { PortalAccessController, PortalInvitationController } from './portal-access.controller';

/**
 * Portal access: each person's access to a portal, from invitation to revocation (staff's
 * routes), the acceptance of an invitation, and the emails of that lifecycle.
 */
@Module({
  imports: [CqrsModule],
  controllers: [PortalAccessController, PortalInvitationController],
  providers: [Invitations, PortalAccessMailer, ...PORTAL_ACCESS_COMMAND_HANDLERS, BulkInviteHandler],
})
export class PortalAccessModule {}
