import { Controller, Get, Header, Inject, Injectable } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, Projections, ReadStore } from '@app/projections';
import { EVENT_STORE, PROJECTIONS, READ_STORE } from '../infrastructure/tokens';
import { Public } from '../auth/access';
import { CommandMetrics, projectionMetrics } from './command-metrics';

const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** Request counts and latency per route and status, kept in memory, shown in Prometheus text format. */
@Injectable()
export class HttpMetrics {
  private readonly series = new Map<string, { count: number; sumMs: number; buckets: number[] }>();

  record(method: string, route: string, status: number, ms: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    let entry = this.series.get(key);
    if (!entry) {
      entry = { count: 0, sumMs: 0, buckets: BUCKETS_MS.map(() => 0) };
      this.series.set(key, entry);
    }
    entry.count += 1;
    entry.sumMs += ms;
    BUCKETS_MS.forEach((bound, i) => {
      if (ms <= bound) entry!.buckets[i] += 1;
    });
  }

  render(): string[] {
    const lines = ['# TYPE http_request_duration_ms histogram'];
    for (const [labels, entry] of this.series) {
      BUCKETS_MS.forEach((bound, i) => lines.push(`http_request_duration_ms_bucket{${labels},le="${bound}"} ${entry.buckets[i]}`));
      lines.push(`http_request_duration_ms_bucket{${labels},le="+Inf"} ${entry.count}`);
      lines.push(`http_request_duration_ms_sum{${labels}} ${entry.sumMs.toFixed(3)}`);
      lines.push(`http_request_duration_ms_count{${labels}} ${entry.count}`);
    }
    return lines;
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: HttpMetrics,
    private readonly commands: CommandMetrics,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Public()
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics: HTTP latency per route, commands by type and outcome, event log head, projection positions, lag, rates and states' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', schema: { type: 'string' } })
  async render(): Promise<string> {
    const head = await this.events.headPosition();
    const lines = [...this.metrics.render(), '# TYPE event_log_head_position gauge', `event_log_head_position ${head}`];
    lines.push('# TYPE projection_position gauge');
    const checkpoints = new Map<string, bigint>();
    for (const projection of ALL_PROJECTIONS) {
      checkpoints.set(projection.name, (await this.readStore.getCheckpoint(projection.name)) ?? 0n);
      lines.push(`projection_position{projection="${projection.name}"} ${checkpoints.get(projection.name)}`);
    }
    lines.push(...projectionMetrics(this.projections.status(), checkpoints, head), ...this.commands.render());
    return `${lines.join('\n')}\n`;
  }
}
