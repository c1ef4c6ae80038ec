import { ApiProperty } from '@nestjs/swagger';

/** Response bodies that several features answer with. */

/** A write that made a record: its id and the position written. */
export class CreatedResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'Global position written; pass it as minPosition to read your write.' })
  position!: number;
}

/** A write to a record: its id and the position written. */
export class WrittenResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'Global position written (or the latest of the stream when nothing changed)' })
  position!: number;
}

/** Who did something: staff (an API key), a portal user, or the system. */
export class ActorView {
  @ApiProperty({ enum: ['staff', 'portal-user', 'system'] }) kind!: string;
  @ApiProperty() id!: string;
}
