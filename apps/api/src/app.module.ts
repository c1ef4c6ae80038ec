import { DynamicModule, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AppConfig } from './config';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { RegisterBootstrapKey } from './auth/api-keys.commands';
import { EnsureOperatorOrganization } from './organizations/organizations.commands';
import { ProblemException } from './http/problem';
import { PortalSelfServiceModule } from './portal-self-service/portal-self-service.module';
import { ProblemFilter } from './http/problem';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ReadYourWritesInterceptor } from './http/read-your-writes.interceptor';
import { RequestShapeInterceptor } from './http/request-shape.interceptor';
import { DirectoryModule } from './directory/directory.module';
import { PortalAccessModule } from './portal-access/portal-access.module';
import { AuditModule } from './audit/audit.module';
import { AuditSubjectsModule } from './audit/audit-subjects.module';
import { PagesModule } from './pages/pages.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { PortalConfigurationModule } from './portal-configuration/portal-configuration.module';
import { ShiftsTimesheetsModule } from './shifts-timesheets/shifts-timesheets.module';
import { QuotesInvoicesModule } from './quotes-invoices/quotes-invoices.module';
import { RegistrationsModule } from './registrations/registrations.module';
import { OrganizationSettingsModule } from './organizations/organization-settings.module';
import { CollaborationModule } from './collaboration/collaboration.module';
import { ProjectsModule } from './projects/projects.module';
import { ReportsModule } from './reports/reports.module';
import { ProjectionsAdminModule } from './admin/admin.module';

@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(private readonly commands: CommandBus) {}

  /**
   * At start: the operator organization and the bootstrap admin key. Here, in the root module,
   * because its hook runs after every other module's, the command bus's registration of the
   * command handlers included.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.commands.execute(new EnsureOperatorOrganization());
    } catch (error) {
      // An altered stored event must not keep the whole service down: it serves every other
      // record, and verify names the event.
      if (!(error instanceof ProblemException && error.code === 'stream-unreadable')) throw error;
      new Logger('Auth').error(`The operator organization's history cannot be read (${error.detail}); starting without checking it`);
    }
    await this.commands.execute(new RegisterBootstrapKey());
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.forRoot(config), CqrsModule, AuthModule, DirectoryModule, PortalSelfServiceModule, PortalAccessModule, AuditModule, HealthModule, PortalConfigurationModule, ImportsModule, ShiftsTimesheetsModule, OrganizationSettingsModule, RegistrationsModule, CollaborationModule, QuotesInvoicesModule, ProjectsModule, AuditSubjectsModule, PagesModule, ReportsModule, ProjectionsAdminModule],
      providers: [
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestShapeInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
