import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FindQuery, NotificationRow, NOTIFICATIONS_COLLECTION, ReadStore } from '@app/projections';
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

function toNotificationView(doc: NotificationRow): NotificationView {
  return {
    id: doc.id,
    type: doc.type,
    documentId: doc.documentId ?? null,
    kind: doc.kind ?? null,
    clientId: doc.clientId ?? null,
    contactId: doc.contactId ?? null,
    actor: doc.actor,
    occurredAt: doc.occurredAt,
    details: doc.details ?? {},
    read: doc.read === true,
    readAt: doc.readAt ?? null,
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
