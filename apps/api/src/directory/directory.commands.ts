import { Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { FollowContactCompanies } from '../portal-access/portal-access.commands';
import { randomUUID } from 'node:crypto';
import {
  clientCompany,
  clientCompanyStream,
  contact,
  contactStream,
  CompaniesChangeCause,
  DocumentsOnDissociation,
  DomainError,
  isDocumentKind,
  portalAccess,
  portalAccessStream,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { CLIENT_DOCUMENTS_COLLECTION, CONTACT_MEMBERSHIPS_COLLECTION, PORTAL_ACCESS_COLLECTION, ProjectionWaiter, ReadStore } from '@app/projections';
import { Inject } from '@nestjs/common';
import { CommandExecutor } from '../commands/command-executor';
import { Written, written } from '../commands/written';
import { CommandContext } from '../http/request-context';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { MoveDocumentToClient, MoveDocumentToClientHandler } from './document-move.commands';
import { AddContactDto, RegisterClientCompanyDto, UpdateClientCompanyDto, UpdateContactDto } from './directory.dto';
import { requireActiveClient } from './require-active-client';

export class RegisterClientCompany extends Command<Written> {
  /** `clientId`: chosen by a caller that must be able to retry (a name-based id); new otherwise. */
  constructor(readonly context: CommandContext, readonly input: RegisterClientCompanyDto, readonly clientId: string = randomUUID()) {
    super();
  }
}

@CommandHandler(RegisterClientCompany)
export class RegisterClientCompanyHandler implements ICommandHandler<RegisterClientCompany> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input, clientId }: RegisterClientCompany): Promise<Written> {
    return written(
      clientId,
      await this.executor.execute({
        streamName: clientCompanyStream(clientId),
        decider: clientCompany,
        command: { type: 'RegisterClientCompany', clientId, name: input.name, email: input.email, website: input.website, address: input.address },
        context,
      }),
    );
  }
}

export class UpdateClientCompany extends Command<Written> {
  constructor(readonly context: CommandContext, readonly clientId: string, readonly input: UpdateClientCompanyDto) {
    super();
  }
}

@CommandHandler(UpdateClientCompany)
export class UpdateClientCompanyHandler implements ICommandHandler<UpdateClientCompany> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, clientId, input }: UpdateClientCompany): Promise<Written> {
    return written(clientId, await this.executor.execute({ streamName: clientCompanyStream(clientId), decider: clientCompany, command: { type: 'UpdateClientCompany', changes: input }, context }));
  }
}

/**
 * Archiving keeps the history; the company leaves the lists. Each of its contacts' portal
 * accesses follows: a contact that still belongs to another company that is not archived
 * keeps its access (which records the companies it acts for now), one whose only company
 * this was has its access revoked, each with an event of its own.
 */
export class ArchiveClientCompany extends Command<Archived> {
  constructor(readonly context: CommandContext, readonly clientId: string) {
    super();
  }
}

@CommandHandler(ArchiveClientCompany)
export class ArchiveClientCompanyHandler implements ICommandHandler<ArchiveClientCompany> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, clientId }: ArchiveClientCompany): Promise<Archived> {
    // Archiving again finishes what an interrupted archive left: the company stays archived,
    // and the sweep below follows whatever access has not yet.
    const current = await this.executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
    if (!current.state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    let position = current.state.archived
      ? current.position
      : (await this.executor.execute({ streamName: clientCompanyStream(clientId), decider: clientCompany, command: { type: 'ArchiveClientCompany' }, context })).position;
    // Who belongs to the company is a question for the read model of memberships; each
    // contact's and access's own streams then decide.
    await this.waiter.waitFor(position, 5_000);
    const archived: Archived = { id: clientId, position: 0, revokedAccesses: 0, changedAccesses: 0 };
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readStore.find(CONTACT_MEMBERSHIPS_COLLECTION, { where: { organizationId: context.organizationId, clientId }, afterId, limit: 200 });
      for (const membership of page) {
        const followed = await this.commands.execute(new FollowContactCompanies(context, membership.contactId, 'client-archived'));
        archived.revokedAccesses += followed.revokedAccesses;
        archived.changedAccesses += followed.changedAccesses;
        if (BigInt(followed.position) > position) position = BigInt(followed.position);
      }
      if (page.length < 200) break;
      afterId = page[page.length - 1].id;
    }
    return { ...archived, position: Number(position) };
  }
}

export interface Archived extends Written {
  /** Accesses revoked: their contact belongs to no company that is not archived any more. */
  revokedAccesses: number;
  /** Accesses of contacts that still belong to another company: they act for those now. */
  changedAccesses: number;
}

/** After a contact's companies changed: its accesses follow; the answer is the last position written. */
async function followedBy(commands: CommandBus, context: CommandContext, contactId: string, cause: CompaniesChangeCause, position: bigint): Promise<bigint> {
  const followed = await commands.execute(new FollowContactCompanies(context, contactId, cause));
  return BigInt(followed.position) > position ? BigInt(followed.position) : position;
}

export class AddContact extends Command<Written> {
  /** `contactId`: chosen by a caller that must be able to retry (a name-based id); new otherwise. */
  constructor(readonly context: CommandContext, readonly clientId: string, readonly input: AddContactDto, readonly contactId: string = randomUUID()) {
    super();
  }
}

@CommandHandler(AddContact)
export class AddContactHandler implements ICommandHandler<AddContact> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, clientId, input, contactId }: AddContact): Promise<Written> {
    // The client's own stream decides whether it exists (never a projection).
    await requireActiveClient(this.executor, context, clientId);
    return written(
      contactId,
      await this.executor.execute({
        streamName: contactStream(contactId),
        decider: contact,
        command: { type: 'AddContact', contactId, clientId, name: input.name, email: input.email, phone: input.phone },
        context,
      }),
    );
  }
}

export class UpdateContact extends Command<Written> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly input: UpdateContactDto) {
    super();
  }
}

@CommandHandler(UpdateContact)
export class UpdateContactHandler implements ICommandHandler<UpdateContact> {
  private readonly logger = new Logger('UpdateContact');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, contactId, input }: UpdateContact): Promise<Written> {
    const { position, events, state } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'UpdateContact', changes: input },
      context,
    });
    const newEmail = events.some((e) => e.type === 'ContactUpdated' && e.data.changes.email !== undefined) ? state.email : null;
    return written(contactId, { position: newEmail ? await this.renameAccesses(context, contactId, newEmail, position) : position });
  }

  /**
   * The email is the portal username: each of the contact's accesses follows it, with an event
   * of its own (found through the portal status read model, decided by each access's stream).
   * Repeating the same change finishes what an interrupted one left.
   */
  private async renameAccesses(context: CommandContext, contactId: string, email: string, after: bigint): Promise<bigint> {
    let position = after;
    await this.waiter.waitFor(after, 5_000);
    const accesses = await this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: context.organizationId, contactId }, limit: 200 });
    for (const access of accesses) {
      try {
        const renamed = await this.executor.execute({
          streamName: portalAccessStream(access.id),
          decider: portalAccess,
          command: { type: 'ChangePortalUsername', email },
          context,
        });
        if (renamed.position > position) position = renamed.position;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        this.logger.warn(`Access ${access.id} keeps its username: ${error.message}`);
      }
    }
    return position;
  }
}

export class AssociateContact extends Command<Written> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string) {
    super();
  }
}

@CommandHandler(AssociateContact)
export class AssociateContactHandler implements ICommandHandler<AssociateContact> {
  constructor(private readonly executor: CommandExecutor, private readonly commands: CommandBus) {}

  async execute({ context, contactId, clientId }: AssociateContact): Promise<Written> {
    await requireActiveClient(this.executor, context, clientId);
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'AssociateContact', clientId },
      context,
    });
    return written(contactId, { position: await followedBy(this.commands, context, contactId, 'contact-associated', position) });
  }
}

export interface Dissociated extends Written {
  /** Documents moved to the contact's primary company (documents=move). */
  documentsMoved: number;
  /** Documents that could not be moved (each logged); dissociating again with move retries them. */
  documentsNotMoved: number;
}

/**
 * Dissociates a contact from a company. With `documents=move`, the documents of that company
 * whose contact it is (it created them in the portal, or they are addressed to it) then move
 * to its primary company: which documents is a question for the per-client list (once it has
 * caught up with the dissociation), and each document's own stream decides its move
 * (MoveDocumentToClient). One document that fails is logged and does not stop the others;
 * the answer's position is the last one written.
 *
 * Dissociating again with `documents=move` after an interrupted move finishes it: the contact
 * is no longer associated, but its last word about that company was a dissociation that moves
 * documents, so the sweep runs again (moving a document already moved writes nothing).
 */
export class DissociateContact extends Command<Dissociated> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string, readonly documents: DocumentsOnDissociation) {
    super();
  }
}

@CommandHandler(DissociateContact)
export class DissociateContactHandler implements ICommandHandler<DissociateContact> {
  private readonly logger = new Logger('DissociateContact');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  async execute({ context, contactId, clientId, documents }: DissociateContact): Promise<Dissociated> {
    let position: bigint;
    let movedTo: string | null;
    try {
      const written = await this.executor.execute({
        streamName: contactStream(contactId),
        decider: contact,
        command: { type: 'DissociateContact', clientId, documents },
        context,
      });
      position = written.position;
      const dissociated = written.events.find((e) => e.type === 'ContactDissociated');
      movedTo = dissociated?.type === 'ContactDissociated' ? dissociated.data.documentsMovedTo : null;
    } catch (error) {
      const resumed = documents === 'move' && error instanceof DomainError && error.code === 'not-associated' ? await this.interruptedMove(context, contactId, clientId) : null;
      if (!resumed) throw error;
      ({ position, movedTo } = resumed);
    }
    position = await followedBy(this.commands, context, contactId, 'contact-dissociated', position);
    if (!movedTo) return { ...written(contactId, { position }), documentsMoved: 0, documentsNotMoved: 0 };

    if (!(await this.waiter.waitFor(position, 5_000))) {
      this.logger.warn(`Projections have not reached ${position} yet; moving the documents the per-client list already shows`);
    }
    let documentsMoved = 0;
    let documentsNotMoved = 0;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: context.organizationId, clientId, contactId }, afterId, limit: 200 });
      for (const document of page) {
        try {
          if (!isDocumentKind(document.kind)) throw new Error(`unknown kind ${String(document.kind)}`);
          const moved = await this.commands.execute(new MoveDocumentToClient(context, document.kind, document.id, movedTo, 'contact-dissociated'));
          if (moved.moved) documentsMoved += 1;
          if (BigInt(moved.position) > position) position = BigInt(moved.position);
        } catch (error) {
          documentsNotMoved += 1;
          this.logger.warn(`Document ${String(document.kind)} ${document.id} not moved to ${movedTo}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (page.length < 200) break;
      afterId = page[page.length - 1].id;
    }
    return { ...written(contactId, { position }), documentsMoved, documentsNotMoved };
  }

  /** The contact's last dissociation from the company, if it moved documents and was not undone since. */
  private async interruptedMove(context: CommandContext, contactId: string, clientId: string): Promise<{ position: bigint; movedTo: string } | null> {
    const { events } = await this.events.readStream(contactStream(contactId));
    if (events.length === 0 || events[0].metadata.organizationId !== context.organizationId) return null;
    const last = [...events].reverse().find((e) => (e.type === 'ContactDissociated' || e.type === 'ContactAssociated') && e.data.clientId === clientId);
    if (last?.type !== 'ContactDissociated' || typeof last.data.documentsMovedTo !== 'string') return null;
    return { position: events[events.length - 1].position, movedTo: last.data.documentsMovedTo };
  }
}

export class ChangePrimaryClient extends Command<Written> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string) {
    super();
  }
}

@CommandHandler(ChangePrimaryClient)
export class ChangePrimaryClientHandler implements ICommandHandler<ChangePrimaryClient> {
  constructor(private readonly executor: CommandExecutor, private readonly commands: CommandBus) {}

  async execute({ context, contactId, clientId }: ChangePrimaryClient): Promise<Written> {
    await requireActiveClient(this.executor, context, clientId);
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'ChangePrimaryClient', clientId },
      context,
    });
    return written(contactId, { position: await followedBy(this.commands, context, contactId, 'primary-client-changed', position) });
  }
}

export const DIRECTORY_COMMAND_HANDLERS = [
  RegisterClientCompanyHandler,
  UpdateClientCompanyHandler,
  ArchiveClientCompanyHandler,
  AddContactHandler,
  UpdateContactHandler,
  AssociateContactHandler,
  DissociateContactHandler,
  ChangePrimaryClientHandler,
  MoveDocumentToClientHandler,
];
