import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProjectsModule } from '../projects/projects.module';
import { ContactImports } from './contact-imports';
import { ImportsController } from './imports.controller';
import { IMPORT_COMMAND_HANDLERS } from './imports.commands';

/** Bulk import of the directory from CSV (POST /v1/imports/contacts, GET /v1/imports/:id). */
@Module({
  imports: [ProjectsModule, CqrsModule],
  controllers: [ImportsController],
  providers: [ContactImports, ...IMPORT_COMMAND_HANDLERS],
})
export class ImportsModule {}
