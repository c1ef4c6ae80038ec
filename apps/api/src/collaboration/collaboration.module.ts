import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller';
import { DocumentsController, PortalDocumentsController } from './documents.controller';
import { Documents } from './documents.service';
import { NotificationMailer } from './notification-mailer';
import { NotificationsController } from './notifications.controller';

/** Client collaboration around shared documents: comments, viewed markers, notifications, the approvals queue. */
@Module({
  controllers: [DocumentsController, PortalDocumentsController, NotificationsController, ApprovalsController],
  providers: [Documents, NotificationMailer],
  exports: [Documents],
})
export class CollaborationModule {}
