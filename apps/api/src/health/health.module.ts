import { Module } from '@nestjs/common';
import { CommandMetrics } from './command-metrics';
import { HealthController } from './health.controller';
import { HttpMetrics, MetricsController, MetricsReport, MetricsServer } from './metrics';
import { Readiness } from './readiness';

/** Health (liveness, readiness) and metrics. */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [HttpMetrics, CommandMetrics, MetricsReport, MetricsServer, Readiness],
  exports: [HttpMetrics, MetricsServer],
})
export class HealthModule {}
