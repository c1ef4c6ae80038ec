import { Controller, Get, Inject, Module } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { Public } from '../auth/access';
import { HttpMetrics, MetricsController } from './metrics';
import { CommandMetrics } from './command-metrics';

class StorageView {
  @ApiProperty({ enum: ['sqlite', 'eventstoredb'] }) events!: string;
  @ApiProperty({ enum: ['sqlite', 'mongodb'] }) readModels!: string;
}

class ProjectionProgress {
  @ApiProperty({ description: 'Global position the projection has reached' }) position!: number;
  @ApiProperty({ description: 'Events it is behind the head of the log' }) behind!: number;
}

class HealthResponse {
  @ApiProperty({ enum: ['ok'] }) status!: string;
  @ApiProperty({ type: StorageView }) storage!: StorageView;
  @ApiProperty({ description: 'Global position of the last event in the log' }) headPosition!: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(ProjectionProgress) }, description: 'Per projection, by name' })
  projections!: Record<string, ProjectionProgress>;
}

@ApiTags('operations')
@ApiExtraModels(ProjectionProgress)
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and how far the projections are behind the event log' })
  @ApiOkResponse({ type: HealthResponse })
  async health() {
    const head = await this.events.headPosition();
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
}

@Module({ controllers: [HealthController, MetricsController], providers: [HttpMetrics, CommandMetrics], exports: [HttpMetrics] })
export class HealthModule {}
