import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadQuery } from '../http/pagination';
import { Problems } from '../http/problem-catalog';
import { PortalUser } from '../auth/access';
import { CurrentPortalUser, PortalPrincipal } from '../auth/principal';
import { PortalProjectPage } from './projects.dto';
import { ProjectsQueries } from './projects.queries';

/** A portal user's projects. */
@ApiTags('portal')
@Controller('v1/portal')
export class PortalProjectsController {
  constructor(private readonly queries: ProjectsQueries) {}

  @Get('projects')
  @PortalUser('projects', 'view', { list: true })
  @ApiOperation({
    summary: 'The projects this user belongs to now and may view, with what it may do with each project’s documents and the hourly rate that applies to it',
    description: 'Decided from the projects as they are at this request: a user removed from a project, or whose company left it, no longer sees it.',
  })
  @ApiOkResponse({ type: PortalProjectPage })
  list(@CurrentPortalUser() user: PortalPrincipal, @Query() _query: ReadQuery): Promise<PortalProjectPage> {
    return this.queries.portalProjects(user);
  }
}
