import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SHIFTS_TIMESHEETS_COMMAND_HANDLERS } from './shifts-timesheets.commands';
import { ShiftsTimesheetsQueries } from './shifts-timesheets.queries';
import { ShiftsController } from './shifts.controller';
import { TimesheetsController } from './timesheets.controller';

/** Shifts and timesheets shared with client companies. */
@Module({
  imports: [CqrsModule],
  controllers: [ShiftsController, TimesheetsController],
  providers: [...SHIFTS_TIMESHEETS_COMMAND_HANDLERS, ShiftsTimesheetsQueries],
})
export class ShiftsTimesheetsModule {}
