import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { COLLABORATION_COMMAND_HANDLERS } from './collaboration.commands';
import { ApprovalsController } from './approvals.controller';
import { DocumentsController, PortalDocumentsController } from './documents.controller';
import { Documents } from './documents.service';
import { NotificationMailer } from './notification-mailer';
import { NotificationsController } from './notifications.controller';

/** Client collaboration around shared documents: comments, viewed markers, notifications, the approvals queue. */
@Module({
  imports: [CqrsModule],
  controllers: [DocumentsController, PortalDocumentsController, NotificationsController, ApprovalsController],
  providers: [Documents, NotificationMailer, ...COLLABORATION_COMMAND_HANDLERS],
  exports: [Documents],
})
export class CollaborationModule {}
