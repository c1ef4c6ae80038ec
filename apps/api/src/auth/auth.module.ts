import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Organizations, OrganizationsController } from '../organizations/organizations';
import { ORGANIZATION_COMMAND_HANDLERS } from '../organizations/organizations.commands';
import { ApiKeys } from './api-keys';
import { API_KEY_COMMAND_HANDLERS } from './api-keys.commands';
import { ApiKeysController } from './api-keys.controller';
import { AuthGuard } from './auth.guard';
import { FailureLimiter } from './failure-limiter';
import { PortalSessions } from './portal-sessions';
import { PortalPermissions } from './portal-permissions';

/** Organizations, staff API keys and portal sessions: who the caller is, and what it may do. */
@Global()
@Module({
  imports: [CqrsModule],
  controllers: [OrganizationsController, ApiKeysController],
  providers: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations, ...API_KEY_COMMAND_HANDLERS, ...ORGANIZATION_COMMAND_HANDLERS],
  exports: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations],
})
export class AuthModule {}
