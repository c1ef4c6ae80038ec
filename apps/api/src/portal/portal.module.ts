import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PortalController } from './portal.controller';
import { PORTAL_USER_COMMAND_HANDLERS } from './portal.commands';
import { PortalUsers } from './portal-users';

@Module({ imports: [CqrsModule], controllers: [PortalController], providers: [PortalUsers, ...PORTAL_USER_COMMAND_HANDLERS] })
export class PortalModule {}
