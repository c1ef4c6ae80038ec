import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Staff } from '../auth/access';
import { Problems } from '../http/problem-catalog';
import { ReadQuery } from '../http/pagination';
import { ProjectionOperations } from './projection-operations';
import { ProjectionListResponse, ProjectionView } from './projections.dto';

/** The projections for the operator's admins: where each stands, and rebuilds without downtime. */
@ApiTags('operations')
@Controller('v1/admin/projections')
export class ProjectionsController {
  constructor(private readonly operations: ProjectionOperations) {}

  @Get()
  @Staff('projections:manage')
  @ApiOperation({
    summary: 'Every projection: position, head, lag, rate, state (operator admins only)',
    description:
      'Projections serve every organization, so only admins of the operator organization may see or rebuild them. ' +
      'Wherever the projections run (this process, another API instance, apps/projector), each is described by the instance that holds its lease.',
  })
  @ApiOkResponse({ type: ProjectionListResponse })
  async list(@Query() _query: ReadQuery): Promise<ProjectionListResponse> {
    return { items: await this.operations.list() };
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @Staff('projections:manage')
  @ApiOperation({
    summary: 'Rebuild a projection from the log, beside the live one, without downtime (operator admins only)',
    description:
      'Builds a new generation of the projection from position 0 in collections of its own, while queries keep answering from the live one ' +
      '(read-your-writes included); once the new one stands where the live one stands it becomes live in one step and the old collections are dropped. ' +
      'Queries never see an empty or half-built read model. Answers 202 at once with the projection (`state: rebuilding`); ' +
      'GET /v1/admin/projections follows the progress. Asking again while a rebuild is under way changes nothing.',
  })
  @ApiParam({ name: 'name', description: 'The projection’s name, as GET /v1/admin/projections lists it', example: 'portal_status_v1' })
  @ApiAcceptedResponse({ type: ProjectionView })
  @Problems('projection-not-found')
  rebuild(@Param('name') name: string): Promise<ProjectionView> {
    return this.operations.rebuild(name);
  }
}
