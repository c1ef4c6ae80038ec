import { Controller, Get, Headers, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { OPERATOR_PERMISSIONS, Public, ROLE_PERMISSIONS } from '../auth/access';
import { ApiKeys, OPERATOR_ORGANIZATION_ID } from '../auth/api-keys';
import { HttpMetrics, MetricsController, MetricsReport, MetricsServer } from './metrics';
import { CommandMetrics } from './command-metrics';
import { Readiness } from './readiness';
import { Problems } from '../http/problem-catalog';

class StorageView {
  @ApiProperty({ enum: ['sqlite', 'eventstoredb'] }) events!: string;
  @ApiProperty({ enum: ['sqlite', 'mongodb'] }) readModels!: string;
}

class ProjectionProgress {
  @ApiProperty({ description: 'Global position the projection has reached' }) position!: number;
  @ApiProperty({ description: 'Events it is behind the head of the log' }) behind!: number;
}

class HealthResponse {
  @ApiProperty({ enum: ['ok', 'down'] }) status!: string;
  @ApiPropertyOptional({ type: StorageView, description: "With the operator's admin key" }) storage?: StorageView;
  @ApiPropertyOptional({ description: "Global position of the last event in the log (with the operator's admin key)" }) headPosition?: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ProjectionProgress) },
    description: "Per projection, by name (with the operator's admin key)",
  })
  projections?: Record<string, ProjectionProgress>;
}

class LivenessResponse {
  @ApiProperty({ enum: ['alive'] }) status!: string;
}

class ReadinessResponse {
  @ApiProperty({ enum: ['ready'] }) status!: string;
}

@ApiTags('operations')
@ApiExtraModels(ProjectionProgress)
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly apiKeys: ApiKeys,
    private readonly readiness: Readiness,
  ) {}

  @Public()
  @Get('live')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness, for the orchestrator: 200 while the process answers, also while it shuts down. It checks no store (a store that is down is a readiness matter: restarting the process would not bring it back)',
  })
  @ApiOkResponse({ type: LivenessResponse })
  live(): LivenessResponse {
    return { status: 'alive' };
  }

  @Public()
  @Get('ready')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Readiness, for the load balancer and the orchestrator: 200 when this instance should be sent traffic; 503 from the moment it begins to shut down, while the event store or the read store does not answer, and while a projection is more than `READY_MAX_PROJECTION_LAG` events behind the log (the problem type says which)',
  })
  @ApiOkResponse({ type: ReadinessResponse })
  @Problems('shutting-down', 'event-store-unreachable', 'read-store-unreachable', 'projections-far-behind')
  async ready(): Promise<ReadinessResponse> {
    const problem = await this.readiness.problem();
    if (problem) throw problem;
    return { status: 'ready' };
  }

  @Public()
  @Get()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Up or down (503); with the operator’s admin key, also the storage, the log head and how far each projection is behind',
  })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({ type: HealthResponse, description: '`{"status":"down"}`: the event store does not answer' })
  async health(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    let head: bigint;
    try {
      head = await this.events.headPosition();
    } catch {
      reply.status(503);
      return { status: 'down' };
    }
    if (!(await this.isOperatorAdmin(authorization))) return { status: 'ok' };
    const projections: Record<string, { position: number; behind: number }> = {};
    for (const projection of ALL_PROJECTIONS) {
      const position = (await this.readStore.getCheckpoint(projection.name)) ?? 0n;
      projections[projection.name] = { position: Number(position), behind: Number(head - position) };
    }
    return {
      status: 'ok',
      storage: { events: this.config.eventStoreUrl ? 'eventstoredb' : 'sqlite', readModels: this.config.mongoUrl ? 'mongodb' : 'sqlite' },
      headPosition: Number(head),
      projections,
    };
  }

  /** The log head and projection positions describe the whole service: for the operator's admins only. */
  private async isOperatorAdmin(authorization: string | undefined): Promise<boolean> {
    if (!authorization) return false;
    const principal = await this.apiKeys.authenticate(authorization);
    return (
      !!principal &&
      principal.organizationId === OPERATOR_ORGANIZATION_ID &&
      OPERATOR_PERMISSIONS.every((permission) => ROLE_PERMISSIONS[principal.role].includes(permission))
    );
  }
}
