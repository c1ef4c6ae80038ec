import { ActorView } from '../http/responses';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { COMMENT_MAX_LENGTH, DOCUMENT_KINDS, DocumentKind } from '@app/domain';
import { PageQuery } from '../http/pagination';

export class AddCommentDto {
  @ApiProperty({ maxLength: COMMENT_MAX_LENGTH, example: 'Could we start on Monday instead?' })
  @IsString()
  @MaxLength(COMMENT_MAX_LENGTH)
  text!: string;
}

export class CommentAddedResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() position!: number;
}

export class CommentAuthorView {
  @ApiProperty({ enum: ['staff', 'portal-user'] }) kind!: 'staff' | 'portal-user';
  @ApiProperty({ nullable: true, type: String, description: 'The API key (staff, shown to staff only) or the portal access' }) id!: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The portal user's contact" }) contactId!: string | null;
}

export class CommentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind!: DocumentKind;
  @ApiProperty() text!: string;
  @ApiProperty({ type: CommentAuthorView }) author!: CommentAuthorView;
  @ApiProperty() createdAt!: string;
}

export class CommentPage {
  @ApiProperty({ type: [CommentView], description: 'Oldest first' }) items!: CommentView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ViewerView {
  @ApiProperty({ format: 'uuid' }) accessId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
}

export class ViewedMarkerView {
  @ApiProperty() firstViewedAt!: string;
  @ApiProperty({ type: ViewerView }) firstViewedBy!: ViewerView;
  @ApiProperty() lastViewedAt!: string;
  @ApiProperty({ type: ViewerView }) lastViewedBy!: ViewerView;
  @ApiProperty() viewCount!: number;
}

export class DocumentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind!: DocumentKind;
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ nullable: true, type: String }) contactId!: string | null;
  @ApiProperty({ nullable: true, type: String }) projectId!: string | null;
  @ApiProperty({ nullable: true, type: String }) number!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ description: "Awaiting the client's decision or action" }) pending!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) summary!: Record<string, unknown>;
}

export class StaffDocumentView extends DocumentView {
  @ApiProperty({ nullable: true, type: ViewedMarkerView, description: 'When and by whom the client opened it; null: never' }) viewed!: ViewedMarkerView | null;
}

export class PortalDocumentResponse extends DocumentView {
  @ApiProperty({ description: 'Position of the viewed marker written' }) position!: number;
}

export class StaffDocumentPage {
  @ApiProperty({ type: [StaffDocumentView] }) items!: StaffDocumentView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page (a page may be short)' })
  nextCursor!: string | null;
}

export class ClientDocumentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'false: only documents no portal user opened yet; true: only opened ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  viewed?: 'true' | 'false';

  @ApiPropertyOptional({ enum: DOCUMENT_KINDS })
  @IsOptional()
  @IsIn(DOCUMENT_KINDS)
  kind?: DocumentKind;
}

export class NotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['unread', 'read'], description: 'Omitted: both' })
  @IsOptional()
  @IsIn(['unread', 'read'])
  status?: 'unread' | 'read';
}

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'QuoteAccepted', description: 'The client action (the type of the event that caused it)' }) type!: string;
  @ApiProperty({ nullable: true, type: String }) documentId!: string | null;
  @ApiProperty({ nullable: true, enum: DOCUMENT_KINDS }) kind!: DocumentKind | null;
  @ApiProperty({ nullable: true, type: String }) clientId!: string | null;
  @ApiProperty({ nullable: true, type: String }) contactId!: string | null;
  @ApiProperty({ type: ActorView }) actor!: ActorView;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty() read!: boolean;
  @ApiProperty({ nullable: true, type: String }) readAt!: string | null;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationView], description: 'Newest first' }) items!: NotificationView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class NotificationReadResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() read!: boolean;
  @ApiProperty() position!: number;
}
