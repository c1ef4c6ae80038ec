import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_COLUMNS } from './contact-import';

export class ImportRowErrorDto {
  @ApiProperty({ description: 'Data row number: 1 is the first row after the header (blank lines keep their number; spreadsheet row = row + 1)', example: 12 })
  row!: number;

  @ApiProperty({ enum: IMPORT_COLUMNS, nullable: true, description: 'The column at fault, or null for the row as a whole', example: 'contact_email' })
  field!: string | null;

  @ApiProperty({ example: 'is not a valid email address' })
  reason!: string;
}

export class ImportAcceptedResponse {
  @ApiProperty({ format: 'uuid', description: 'Poll GET /v1/imports/{id} for progress' })
  id!: string;

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] })
  status!: string;

  @ApiProperty({ description: 'Data rows in the file' })
  rows!: number;

  @ApiProperty({
    description:
      'Highest global position the import has written (0 until its first row is applied): it grows as GET /v1/imports/{id} shows; once that says `completed`, pass its `position` as `minPosition` to read what the import wrote.',
  })
  position!: number;

  @ApiProperty({ description: 'Imports accepted before this one and not finished yet: it starts once they have (0: at once).' })
  queuePosition!: number;
}

export class ImportStatusResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['contacts'] }) kind!: string;
  @ApiProperty({
    enum: ['queued', 'running', 'completed', 'failed'],
    description: 'failed: stopped before the end (service shut down or crashed, or an internal error); see `failure`. Rows applied until then stay applied; importing the file again finishes the job.',
  })
  status!: string;
  @ApiProperty({ description: 'Data rows in the file (blank lines not counted)' }) rows!: number;
  @ApiProperty({ description: 'Rows done so far: applied or refused' }) processed!: number;
  @ApiProperty({ description: 'Rows applied without error (created + unchanged)' }) applied!: number;
  @ApiProperty({ description: 'Applied rows that wrote something: a company, the contact, or an association' }) created!: number;
  @ApiProperty({ description: 'Applied rows that found everything already there and wrote nothing (a re-import)' }) unchanged!: number;
  @ApiProperty({ description: 'Rows refused; they changed nothing' }) invalid!: number;
  @ApiProperty({ description: 'All row errors (a row may have several)' }) errorCount!: number;
  @ApiProperty({ type: [ImportRowErrorDto], description: 'The first 1,000 row errors, by row' }) errors!: ImportRowErrorDto[];
  @ApiProperty() companiesRegistered!: number;
  @ApiProperty() contactsAdded!: number;
  @ApiProperty() associationsAdded!: number;
  @ApiProperty({ description: 'Highest global position the import wrote (0: nothing); pass it as minPosition to read the imported records' }) position!: number;
  @ApiProperty({ format: 'date-time', description: 'When the file was accepted' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ format: 'date-time', description: 'Last progress update (every second while running)' }) updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, description: 'Why a failed import stopped' }) failure!: string | null;
}
