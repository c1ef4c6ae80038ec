import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  clientCompany,
  clientCompanyStream,
  Decider,
  DocumentKind,
  DocumentMoveReason,
  documentStream,
  DomainError,
  DomainEvent,
  invoice,
  isDocumentKind,
  MoveDocumentToClientCommand,
  quote,
  shift,
  timesheet,
} from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { Written, written } from '../commands/written';
import { CommandContext } from '../http/request-context';

/**
 * Re-files one shared document under another client company of the organization
 * (MoveDocumentToClient -> DocumentMovedToClient on the document's own stream). Decided by
 * the document's kind; allowed in every status; to the company it is already under, nothing
 * is written.
 */
export class MoveDocumentToClient extends Command<DocumentMoved> {
  constructor(
    readonly context: CommandContext,
    readonly kind: DocumentKind,
    readonly documentId: string,
    readonly toClientId: string,
    readonly reason: DocumentMoveReason,
  ) {
    super();
  }
}

export interface DocumentMoved extends Written {
  moved: boolean;
}

/** Every kind's decider takes MoveDocumentToClient. */
const DECIDERS: Record<DocumentKind, Decider<unknown, MoveDocumentToClientCommand, DomainEvent>> = {
  shift: shift as unknown as Decider<unknown, MoveDocumentToClientCommand, DomainEvent>,
  timesheet: timesheet as unknown as Decider<unknown, MoveDocumentToClientCommand, DomainEvent>,
  quote: quote as unknown as Decider<unknown, MoveDocumentToClientCommand, DomainEvent>,
  invoice: invoice as unknown as Decider<unknown, MoveDocumentToClientCommand, DomainEvent>,
};

@CommandHandler(MoveDocumentToClient)
export class MoveDocumentToClientHandler implements ICommandHandler<MoveDocumentToClient> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, kind, documentId, toClientId, reason }: MoveDocumentToClient): Promise<DocumentMoved> {
    if (!isDocumentKind(kind)) throw new DomainError('not-found', 'document-not-found', 'No such document.');
    // The target company's own stream says whether it is one of the organization's. An
    // archived company may still receive documents: a move is a re-filing, not a new share.
    const { state: company } = await this.executor.load(clientCompanyStream(toClientId), clientCompany, context.organizationId);
    if (!company.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    const { events, position } = await this.executor.execute({
      streamName: documentStream(kind, documentId),
      decider: DECIDERS[kind],
      command: { type: 'MoveDocumentToClient', toClientId, reason },
      context,
    });
    return { ...written(documentId, { position }), moved: events.length > 0 };
  }
}
