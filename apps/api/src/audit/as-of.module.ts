import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AsOfFolder, AsOfInterceptor, PermissionsAsOfController } from './as-of';

/** Answers "as of" a moment, folded from the events, on the routes marked @AsOf. */
@Module({
  controllers: [PermissionsAsOfController],
  providers: [AsOfFolder, { provide: APP_INTERCEPTOR, useClass: AsOfInterceptor }],
  exports: [AsOfFolder],
})
export class AsOfModule {}
