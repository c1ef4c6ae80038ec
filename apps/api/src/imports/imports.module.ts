import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { ContactImports } from './contact-imports';
import { ImportsController } from './imports.controller';

/** Bulk import of the directory from CSV (POST /v1/imports/contacts, GET /v1/imports/:id). */
@Module({
  imports: [ProjectsModule],
  controllers: [ImportsController],
  providers: [ContactImports],
})
export class ImportsModule {}
