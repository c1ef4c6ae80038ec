import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';

/** Aggregate reports for reporting teams, read from their projections. */
@Module({ controllers: [ReportsController] })
export class ReportsModule {}
