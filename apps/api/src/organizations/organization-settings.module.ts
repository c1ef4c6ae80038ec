import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { OrganizationSettingsController } from './organization-settings.controller';

/** The caller's own organization and its settings. */
@Module({ imports: [CqrsModule], controllers: [OrganizationSettingsController] })
export class OrganizationSettingsModule {}
