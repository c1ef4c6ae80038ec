import { Module } from '@nestjs/common';
import { PortalController } from './portal.controller';
import { PortalUsers } from './portal-users';

@Module({ controllers: [PortalController], providers: [PortalUsers] })
export class PortalModule {}
