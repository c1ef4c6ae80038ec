import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  CommentAuthor,
  documentComments,
  documentCommentsStream,
  documentNotFound,
  documentViews,
  documentViewsStream,
  DomainError,
  notification,
  notificationStream,
  PortalViewer,
  timeOrderedId,
} from '@app/domain';
import { NOTIFICATIONS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { Written, written } from '../commands/written';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalPrincipal } from '../auth/principal';
import { Documents, LocatedDocument } from './documents.service';

/**
 * A comment on a quote, invoice or timesheet, by staff or by a portal user (`user`: it must be
 * a document the user may see). Decided from the document's own stream (its audience), never
 * from a projection.
 */
export class AddComment extends Command<Written> {
  constructor(
    readonly context: CommandContext,
    readonly documentId: string,
    readonly text: string,
    readonly author: CommentAuthor,
    readonly user?: PortalPrincipal,
  ) {
    super();
  }
}

@CommandHandler(AddComment)
export class AddCommentHandler implements ICommandHandler<AddComment> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly documents: Documents,
  ) {}

  async execute({ context, documentId, text, author, user }: AddComment): Promise<Written> {
    const located = await this.documents.locate(context.organizationId, documentId);
    let viewer: PortalViewer | undefined;
    if (user) viewer = (await this.documents.requireVisibleToPortalUser(user, located)).viewer;
    if (!located) throw documentNotFound();
    const commentId = timeOrderedId(Date.now(), context.idempotencyKey ?? randomUUID());
    const added = await this.executor.execute({
      streamName: documentCommentsStream(documentId),
      decider: documentComments,
      command: { type: 'AddComment', commentId, documentId, kind: located.kind, document: located.audience, text, author, viewer },
      context,
    });
    return written(added.events[0]?.data.commentId ?? commentId, added);
  }
}

/** A portal user opens a document: it must be one it may see; the opening is recorded. */
export class MarkDocumentViewed extends Command<{ located: LocatedDocument; position: number }> {
  constructor(
    readonly context: CommandContext,
    readonly user: PortalPrincipal,
    readonly documentId: string,
  ) {
    super();
  }
}

@CommandHandler(MarkDocumentViewed)
export class MarkDocumentViewedHandler implements ICommandHandler<MarkDocumentViewed> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly documents: Documents,
  ) {}

  async execute({ context, user, documentId }: MarkDocumentViewed): Promise<{ located: LocatedDocument; position: number }> {
    const located = await this.documents.locate(user.organizationId, documentId);
    const { document, viewer } = await this.documents.requireVisibleToPortalUser(user, located);
    // No expected-revision contention to speak of: a conflict is simply decided again (the
    // executor retries), since no rule can refuse a view.
    const { position } = await this.executor.execute({
      streamName: documentViewsStream(documentId),
      decider: documentViews,
      command: { type: 'MarkDocumentViewed', documentId, kind: document.kind, document: document.audience, accessId: user.accessId, viewer },
      context,
    });
    return { located: document, position: Number(position) };
  }
}

/** A notification read by staff; again changes nothing. */
export class MarkNotificationRead extends Command<{ id: string; read: true; position: number }> {
  constructor(
    readonly context: CommandContext,
    readonly notificationId: string,
  ) {
    super();
  }
}

@CommandHandler(MarkNotificationRead)
export class MarkNotificationReadHandler implements ICommandHandler<MarkNotificationRead> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, notificationId }: MarkNotificationRead): Promise<{ id: string; read: true; position: number }> {
    // A notification is derived from the event that caused it, so only the feed knows it
    // exists; whether it is read is then decided by its own stream.
    const row = await this.readStore.get(NOTIFICATIONS_COLLECTION, notificationId);
    if (!row || row.organizationId !== context.organizationId) throw new DomainError('not-found', 'notification-not-found', 'No such notification.');
    const { position } = await this.executor.execute({
      streamName: notificationStream(notificationId),
      decider: notification,
      command: { type: 'MarkNotificationRead', notificationId },
      context,
    });
    return { id: notificationId, read: true, position: Number(position) };
  }
}

export const COLLABORATION_COMMAND_HANDLERS = [AddCommentHandler, MarkDocumentViewedHandler, MarkNotificationReadHandler];
