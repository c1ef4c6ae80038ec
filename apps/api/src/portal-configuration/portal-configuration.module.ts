import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PortalsController } from './portals.controller';
import { PORTAL_COMMAND_HANDLERS } from './portals.commands';
import { PORTAL_SEAT_COMMAND_HANDLERS, PortalSeats } from './portal-seats.commands';
import { Portals } from './portals.service';

/**
 * Portal configuration: portals, invitation templates, user types and seats (who may be let in
 * is portal-access/; what a signed-in user does for itself is portal-self-service/). Global: invitations, sign-in, self-registration
 * and organization creation use the `Portals` service, invitations the `PortalSeats`.
 */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [PortalsController],
  providers: [Portals, PortalSeats, ...PORTAL_COMMAND_HANDLERS, ...PORTAL_SEAT_COMMAND_HANDLERS],
  exports: [Portals, PortalSeats],
})
export class PortalConfigurationModule {}
