import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SHIFT_TEXT_MAX_LENGTH, TIMESHEET_MAX_ENTRIES, TIMESHEET_NOTE_MAX_LENGTH } from '@app/domain';
import { PageQuery } from '../http/pagination';

const PROJECT_ID = 'A project the client company is in (422 unknown-project, client-not-in-project; 409 project-archived). In the portal: a project the user is in (404 otherwise), whose permissions then apply.';

export class StaffMemberDto {
  @ApiProperty({ example: 'Kenji Sato', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'W-1042', maxLength: 100, description: "The staff member's id in the organization's own systems" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  id?: string;
}

const DATE_TIME_DESCRIPTION = 'ISO-8601 date and time with an offset (Z or ±HH:MM)';

export class PublishShiftDto {
  @ApiProperty({ format: 'uuid', description: 'The client company it is published to (must exist and be active)' })
  @IsUUID()
  clientId!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: PROJECT_ID })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  projectId?: string | null;

  @ApiProperty({ type: StaffMemberDto })
  @ValidateNested()
  @Type(() => StaffMemberDto)
  staffMember!: StaffMemberDto;

  @ApiProperty({ example: '2026-03-02T08:00:00+09:00', description: DATE_TIME_DESCRIPTION })
  @IsString()
  @MaxLength(40)
  start!: string;

  @ApiProperty({ example: '2026-03-02T17:00:00+09:00', description: `${DATE_TIME_DESCRIPTION}; after the start, at most 24 hours later` })
  @IsString()
  @MaxLength(40)
  end!: string;

  @ApiPropertyOptional({ example: 'Warehouse 3, Osaka', maxLength: SHIFT_TEXT_MAX_LENGTH, nullable: true, type: String, description: 'null or omitted: none' })
  @IsOptional()
  @IsString()
  @MaxLength(SHIFT_TEXT_MAX_LENGTH)
  location?: string | null;

  @ApiPropertyOptional({ example: 'Forklift driver', maxLength: SHIFT_TEXT_MAX_LENGTH, nullable: true, type: String, description: 'null or omitted: none' })
  @IsOptional()
  @IsString()
  @MaxLength(SHIFT_TEXT_MAX_LENGTH)
  role?: string | null;
}

/** Only the fields given change; null clears an optional one. */
export class UpdateShiftDto {
  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: PROJECT_ID })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  projectId?: string | null;

  @ApiPropertyOptional({ type: StaffMemberDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StaffMemberDto)
  staffMember?: StaffMemberDto;

  @ApiPropertyOptional({ description: DATE_TIME_DESCRIPTION })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  start?: string;

  @ApiPropertyOptional({ description: DATE_TIME_DESCRIPTION })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  end?: string;

  @ApiPropertyOptional({ nullable: true, maxLength: SHIFT_TEXT_MAX_LENGTH })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(SHIFT_TEXT_MAX_LENGTH)
  location?: string | null;

  @ApiPropertyOptional({ nullable: true, maxLength: SHIFT_TEXT_MAX_LENGTH })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(SHIFT_TEXT_MAX_LENGTH)
  role?: string | null;
}

export class CancelShiftDto {
  @ApiPropertyOptional({ maxLength: 1000, example: 'The client closed the site that day' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class TimesheetEntryDto {
  @ApiProperty({ example: '2026-03-02', description: "A calendar date YYYY-MM-DD, in the organization's time zone" })
  @IsString()
  @MaxLength(10)
  date!: string;

  @ApiProperty({ example: '08:00', description: 'HH:MM, 00:00 to 23:59' })
  @IsString()
  @MaxLength(5)
  start!: string;

  @ApiProperty({
    example: '17:00',
    description: 'HH:MM after the start on the same date; 24:00 ends the day (work past midnight is two entries: ...-24:00, then 00:00-...)',
  })
  @IsString()
  @MaxLength(5)
  end!: string;

  @ApiPropertyOptional({ example: 60, minimum: 0, maximum: 1440, default: 0, description: 'Unpaid break, in minutes; shorter than the entry' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  breakMinutes?: number;

  @ApiPropertyOptional({ maxLength: TIMESHEET_NOTE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TIMESHEET_NOTE_MAX_LENGTH)
  note?: string;
}

const ENTRIES_DESCRIPTION =
  "Worked time: hours are computed per entry (end - start - break) in the organization's time zone, DST-correct. " +
  'Refused (422): overlapping entries, an end not after its start, a break as long as the entry, more than 24 hours on one date.';

export class TimesheetContentDto {
  @ApiProperty({ type: StaffMemberDto, description: 'The (temporary) staff member who worked, on whose behalf the timesheet is submitted' })
  @ValidateNested()
  @Type(() => StaffMemberDto)
  staffMember!: StaffMemberDto;

  @ApiProperty({ type: [TimesheetEntryDto], minItems: 1, maxItems: TIMESHEET_MAX_ENTRIES, description: ENTRIES_DESCRIPTION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TIMESHEET_MAX_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => TimesheetEntryDto)
  entries!: TimesheetEntryDto[];

  @ApiPropertyOptional({ maxLength: TIMESHEET_NOTE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TIMESHEET_NOTE_MAX_LENGTH)
  note?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: PROJECT_ID })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  projectId?: string | null;
}

/** Staff submit a timesheet for a client company. */
export class SubmitTimesheetDto extends TimesheetContentDto {
  @ApiProperty({ format: 'uuid', description: 'The client company (must exist and be active)' })
  @IsUUID()
  clientId!: string;
}

/** A portal user creates a timesheet for one of its contact's companies. */
export class PortalTimesheetDto extends TimesheetContentDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Which of the contact’s current companies the timesheet is for (`clientIds` in GET /v1/portal/me); default: `clientId` there, the primary company.',
  })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

/** A rejected timesheet, corrected: new entries, and optionally the staff member and the note. */
export class ResubmitTimesheetDto {
  @ApiPropertyOptional({ type: StaffMemberDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => StaffMemberDto)
  staffMember?: StaffMemberDto;

  @ApiProperty({ type: [TimesheetEntryDto], minItems: 1, maxItems: TIMESHEET_MAX_ENTRIES, description: ENTRIES_DESCRIPTION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TIMESHEET_MAX_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => TimesheetEntryDto)
  entries!: TimesheetEntryDto[];

  @ApiPropertyOptional({ nullable: true, maxLength: TIMESHEET_NOTE_MAX_LENGTH, description: 'Omitted: the note stays; null clears it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(TIMESHEET_NOTE_MAX_LENGTH)
  note?: string | null;
}

export class RejectTimesheetDto {
  @ApiProperty({ maxLength: 1000, example: 'Tuesday is missing' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export const SHIFT_STATUSES = ['published', 'cancelled'] as const;
export const TIMESHEET_STATUSES = ['submitted', 'approved', 'rejected'] as const;

export class PortalShiftsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: SHIFT_STATUSES })
  @IsOptional()
  @IsIn(SHIFT_STATUSES)
  status?: (typeof SHIFT_STATUSES)[number];
}

export class ShiftsQuery extends PortalShiftsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Shifts of this client company' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class PortalTimesheetsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TIMESHEET_STATUSES, description: 'submitted: awaiting approval' })
  @IsOptional()
  @IsIn(TIMESHEET_STATUSES)
  status?: (typeof TIMESHEET_STATUSES)[number];
}

export class TimesheetsQuery extends PortalTimesheetsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Timesheets of this client company' })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

// ----- answers -----

export class StaffMemberView {
  @ApiProperty({ nullable: true, type: String }) id!: string | null;
  @ApiProperty() name!: string;
}

export class ShiftView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) projectId!: string | null;
  @ApiProperty({ enum: SHIFT_STATUSES }) status!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: StaffMemberView }) staffMember!: StaffMemberView;
  @ApiProperty({ description: 'As published, with its offset' }) start!: string;
  @ApiProperty() end!: string;
  @ApiProperty({ description: 'The start as a UTC instant' }) startsAt!: string;
  @ApiProperty() endsAt!: string;
  @ApiProperty({ nullable: true, type: String }) location!: string | null;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it was cancelled' }) cancellationReason!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class TimesheetEntryView {
  @ApiProperty() date!: string;
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty() breakMinutes!: number;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ description: 'Worked minutes: end - start - break' }) minutes!: number;
  @ApiProperty({ description: 'The start as a UTC instant' }) startsAt!: string;
  @ApiProperty() endsAt!: string;
}

export class TimesheetView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The contact who created it in the portal; null: submitted by staff' })
  contactId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) projectId!: string | null;
  @ApiProperty({ enum: TIMESHEET_STATUSES }) status!: string;
  @ApiProperty({ description: 'Awaiting the client’s approval' }) pending!: boolean;
  @ApiProperty() title!: string;
  @ApiProperty({ type: StaffMemberView }) staffMember!: StaffMemberView;
  @ApiProperty({ description: "The organization's time zone, in which the entries were read" }) timeZone!: string;
  @ApiProperty({ type: [TimesheetEntryView] }) entries!: TimesheetEntryView[];
  @ApiProperty() totalMinutes!: number;
  @ApiProperty({ example: 8.5 }) totalHours!: number;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty({ description: '1, then +1 per corrected resubmission' }) version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ShiftPage {
  @ApiProperty({ type: [ShiftView] }) items!: ShiftView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class TimesheetPage {
  @ApiProperty({ type: [TimesheetView] }) items!: TimesheetView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
