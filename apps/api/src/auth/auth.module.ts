import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ProblemException } from '../http/problem';
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
  controllers: [OrganizationsController, ApiKeysController],
  providers: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations],
  exports: [ApiKeys, PortalSessions, PortalPermissions, FailureLimiter, AuthGuard, Organizations],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    private readonly organizations: Organizations,
    private readonly apiKeys: ApiKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.organizations.ensureOperatorOrganization();
    } catch (error) {
      // An altered stored event must not keep the whole service down: it serves every other
      // record, and verify names the event.
      if (!(error instanceof ProblemException && error.code === 'stream-unreadable')) throw error;
      new Logger('Auth').error(`The operator organization's history cannot be read (${error.detail}); starting without checking it`);
    }
    await this.apiKeys.registerBootstrapKey();
  }
}
