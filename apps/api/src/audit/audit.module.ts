import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AsOfModule } from './as-of.module';
import { AUDIT_COMMAND_HANDLERS } from './audit.commands';
import { AuditController } from './audit.controller';
import { AuditLog } from './audit-log';
import { ErasureController } from './erasure.controller';

/** The audit history, its export and verification, the log's anchors, and erasure of a person. */
@Module({ imports: [AsOfModule, CqrsModule], controllers: [AuditController, ErasureController], providers: [AuditLog, ...AUDIT_COMMAND_HANDLERS], exports: [AuditLog] })
export class AuditModule {}
