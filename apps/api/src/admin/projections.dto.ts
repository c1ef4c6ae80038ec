import { ApiProperty } from '@nestjs/swagger';

export const PROJECTION_STATES = ['running', 'catching-up', 'rebuilding', 'failed'] as const;
export type ProjectionViewState = (typeof PROJECTION_STATES)[number];

export class ProjectionLagView {
  @ApiProperty({ description: 'How far the live generation is behind the head of the log, in positions (on the embedded store, events)', example: 0 })
  events!: number;
  @ApiProperty({ description: 'How long ago the oldest event it has not applied yet was recorded (0: none)', example: 0 })
  seconds!: number;
}

export class ProjectionRebuildView {
  @ApiProperty({ type: Number, nullable: true, description: 'The generation being built beside the live one; null: requested, not started yet', example: 1 })
  generation!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The last position the new generation has applied (null: none yet)', example: 5200 })
  position!: number | null;
  @ApiProperty({ description: 'How far the new generation has come toward the head of the log, from 0 to 1', example: 0.42 })
  progress!: number;
}

export class ProjectionView {
  @ApiProperty({ example: 'portal_status_v1' }) name!: string;
  @ApiProperty({ description: 'The live generation: the one queries read (0 until the first rebuild)', example: 0 })
  generation!: number;
  @ApiProperty({ description: 'The last position of the log the live generation has applied (0: none)', example: 12000 })
  position!: number;
  @ApiProperty({ description: 'The position of the last event in the log', example: 12000 })
  head!: number;
  @ApiProperty({ type: ProjectionLagView }) lag!: ProjectionLagView;
  @ApiProperty({ description: 'Events read per second by the live generation’s reader, over its last page', example: 850 })
  eventsPerSecond!: number;
  @ApiProperty({
    enum: PROJECTION_STATES,
    description: '`running`: at the head of the log; `catching-up`: behind it, reading full pages; `rebuilding`: a new generation is built beside the live one (see `rebuild`); `failed`: stopped, retrying (see `lastError`), or run by no instance',
  })
  state!: ProjectionViewState;
  @ApiProperty({ type: ProjectionRebuildView, nullable: true, description: 'The rebuild under way or requested; null: none' })
  rebuild!: ProjectionRebuildView | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last error the projection (or its rebuild) stopped on; null: none' })
  lastError!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The instance that runs it (its lease holder: host/process/id); null: none', example: 'api-1/4242/1f3c9a2b' })
  runner!: string | null;
}

export class ProjectionListResponse {
  @ApiProperty({ type: [ProjectionView] }) items!: ProjectionView[];
}
