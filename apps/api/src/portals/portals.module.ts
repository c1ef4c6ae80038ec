import { Global, Module } from '@nestjs/common';
import { PortalsController } from './portals.controller';
import { Portals } from './portals.service';

/**
 * Portals, invitation templates and user types. Global: invitations, sign-in, self-registration
 * and organization creation use the `Portals` service.
 */
@Global()
@Module({
  controllers: [PortalsController],
  providers: [Portals],
  exports: [Portals],
})
export class PortalsModule {}
