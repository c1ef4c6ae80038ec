import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { REGISTRATION_COMMAND_HANDLERS } from './registrations.commands';
import { PortalRegistrationController, RegistrationsController } from './registrations.controller';

/** Self-registration: public requests, staff review (approve: company, contact, invitation). */
@Module({
  imports: [CqrsModule],
  controllers: [PortalRegistrationController, RegistrationsController],
  providers: [...REGISTRATION_COMMAND_HANDLERS],
})
export class RegistrationsModule {}
