import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Doc, FindQuery, NOTIFICATIONS_COLLECTION, ReadStore } from '@app/projections';
import { CommandBus } from '@nestjs/cqrs';
import { MarkNotificationRead } from './collaboration.commands';
import { findPage, Page } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { NotificationPage, NotificationReadResponse, NotificationsQuery, NotificationView } from './collaboration.dto';
import { Problems } from '../http/problem-catalog';

function toNotificationView(doc: Doc): NotificationView {
  return {
    id: doc.id,
    type: doc.type as string,
    documentId: (doc.documentId as string | null) ?? null,
    kind: (doc.kind as NotificationView['kind']) ?? null,
    clientId: (doc.clientId as string | null) ?? null,
    contactId: (doc.contactId as string | null) ?? null,
    actor: doc.actor as NotificationView['actor'],
    occurredAt: doc.occurredAt as string,
    details: (doc.details as Record<string, unknown>) ?? {},
    read: doc.read === true,
    readAt: (doc.readAt as string | null) ?? null,
  };
}

/** What the organization hears of its clients' actions in the portal (notifications_v1). */
@ApiTags('notifications')
@Controller('v1/notifications')
export class NotificationsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Get()
  @Staff('read-models:read')
  @ApiOperation({ summary: 'Notifications of client actions (approvals, rejections, acceptances, payments, comments, detail changes), newest first' })
  @ApiOkResponse({ type: NotificationPage })
  list(@CurrentStaff() principal: StaffPrincipal, @Query() query: NotificationsQuery): Promise<Page<NotificationView>> {
    const where: FindQuery['where'] = query.status ? { organizationId: principal.organizationId, read: query.status === 'read' } : { organizationId: principal.organizationId };
    return findPage(this.readStore, NOTIFICATIONS_COLLECTION, where, query, toNotificationView);
  }

  @Post(':notificationId/read')
  @HttpCode(200)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Mark a notification read (MarkNotificationRead); again changes nothing' })
  @ApiOkResponse({ type: NotificationReadResponse })
  @Problems('notification-not-found')
  markRead(@StaffContext() context: CommandContext, @Param('notificationId', ResourceIdPipe) notificationId: string): Promise<NotificationReadResponse> {
    return this.commands.execute(new MarkNotificationRead(context, notificationId));
  }
}
