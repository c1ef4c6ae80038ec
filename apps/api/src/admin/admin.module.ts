import { Module } from '@nestjs/common';
import { ProjectionOperations } from './projection-operations';
import { ProjectionsController } from './projections.controller';

/** Operators' routes: the projections, where each stands, and their rebuilds. */
@Module({ controllers: [ProjectionsController], providers: [ProjectionOperations] })
export class ProjectionsAdminModule {}
