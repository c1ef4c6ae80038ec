import { Module } from '@nestjs/common';
import { AuditSubjectsController } from './audit-subjects.controller';

/** The auditor's search for what a history can be asked about: contacts, companies, documents. */
@Module({ controllers: [AuditSubjectsController] })
export class AuditSubjectsModule {}
