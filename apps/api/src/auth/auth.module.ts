import { Global, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Organizations, OrganizationsController } from '../organizations/organizations';
import { ApiKeys } from './api-keys';
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
  providers: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations],
  exports: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations],
})
export class AuthModule {}
