import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PortalController } from './portal.controller';
import { PORTAL_USER_COMMAND_HANDLERS } from './portal.commands';
import { PortalUsers } from './portal-users';

/**
 * Portal self-service: what a signed-in portal user does for itself under /v1/portal (sign in
 * and out, its profile and preferences, password reset). Portal configuration (portals, user
 * types, templates) is in portal-configuration/, each person's access to a portal in
 * portal-access/.
 */
@Module({ imports: [CqrsModule], controllers: [PortalController], providers: [PortalUsers, ...PORTAL_USER_COMMAND_HANDLERS] })
export class PortalSelfServiceModule {}
