import { Module } from '@nestjs/common';
import { DocumentsController, PortalDocumentsController } from './documents.controller';
import { Documents } from './documents.service';
import { NotificationMailer } from './notification-mailer';
import { NotificationsController } from './notifications.controller';

/** Client collaboration around shared documents: comments, viewed markers, notifications. */
@Module({
  controllers: [DocumentsController, PortalDocumentsController, NotificationsController],
  providers: [Documents, NotificationMailer],
  exports: [Documents],
})
export class CollaborationModule {}
