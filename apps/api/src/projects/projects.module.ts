import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConvertDealToProjectHandler } from './deal-conversion.commands';
import { PortalProjectsController } from './portal-projects.controller';
import { ProjectImports } from './project-imports';
import { PROJECT_COMMAND_HANDLERS, ProjectInvitations } from './projects.commands';
import { ProjectsController } from './projects.controller';
import { ProjectsQueries } from './projects.queries';

/** Projects: their client companies, client users, rates and per-project permissions. */
@Module({
  imports: [CqrsModule],
  controllers: [ProjectsController, PortalProjectsController],
  providers: [...PROJECT_COMMAND_HANDLERS, ConvertDealToProjectHandler, ProjectInvitations, ProjectsQueries, ProjectImports],
  exports: [ProjectImports],
})
export class ProjectsModule {}
