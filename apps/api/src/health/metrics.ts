import { Controller, Get, Header, Inject, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, Projections, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, PROJECTIONS, READ_STORE } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { Problems } from '../http/problem-catalog';
import { CommandMetrics, projectionMetrics } from './command-metrics';

const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

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

/** The metrics page: HTTP latency per route, commands, the event log head, each projection's position and state. */
@Injectable()
export class MetricsReport {
  constructor(
    private readonly metrics: HttpMetrics,
    private readonly commands: CommandMetrics,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

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

/**
 * /metrics on the API port, for the operator's admin key (they describe the whole service).
 * With METRICS_PORT set it is served there instead, without a key, and not on the API port.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly report: MetricsReport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Staff('operations:read')
  @Get()
  @Header('content-type', PROMETHEUS_TEXT)
  @ApiOperation({
    summary:
      "Prometheus metrics (the operator's admin key; not here when METRICS_PORT is set): HTTP latency per route, commands by type and outcome, event log head, projection positions, lag, rates and states",
  })
  @ApiProduces('text/plain')
  @Problems('not-found')
  @ApiQuery({ name: 'minPosition', required: false, type: String, description: 'Answer only once the projections have reached this position (from a write response).' })
  @ApiOkResponse({ description: 'Prometheus text exposition format 0.0.4', schema: { type: 'string' } })
  async render(): Promise<string> {
    if (this.config.metricsPort !== undefined) throw new NotFoundException('Metrics are served on the metrics port.');
    return this.report.render();
  }
}

/** The separate metrics port (METRICS_PORT on METRICS_HOST): GET /metrics only. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly report: MetricsReport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port it listens on, once listening (METRICS_PORT=0 picks a free one). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    const server = createServer((request, response) => {
      const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
      };
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') return send(404, 'Not found: GET /metrics\n');
      this.report.render().then(
        (text) => send(200, text, PROMETHEUS_TEXT),
        (error: unknown) => {
          this.logger.error('Metrics failed', error instanceof Error ? error.stack : String(error));
          send(500, 'Metrics failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, this.config.metricsHost, () => resolve());
    });
    this.server = server;
    this.logger.log(`Metrics on http://${this.config.metricsHost}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
