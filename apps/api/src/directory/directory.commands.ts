import { Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { PortalAccessResult, RevokePortalAccess } from '../portal-access/portal-access.commands';
import { randomUUID } from 'node:crypto';
import {
  clientCompany,
  clientCompanyStream,
  contact,
  contactStream,
  DocumentsOnDissociation,
  DomainError,
} from '@app/domain';
import { PORTAL_ACCESS_COLLECTION, ProjectionWaiter, ReadStore } from '@app/projections';
import { Inject } from '@nestjs/common';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { AddContactDto, RegisterClientCompanyDto, UpdateClientCompanyDto, UpdateContactDto } from './directory.dto';

export interface Created {
  id: string;
  position: number;
}

export class RegisterClientCompany {
  constructor(readonly context: CommandContext, readonly input: RegisterClientCompanyDto) {}
}
export class UpdateClientCompany {
  constructor(readonly context: CommandContext, readonly clientId: string, readonly input: UpdateClientCompanyDto) {}
}
export class ArchiveClientCompany {
  constructor(readonly context: CommandContext, readonly clientId: string) {}
}
export class AddContact {
  constructor(readonly context: CommandContext, readonly clientId: string, readonly input: AddContactDto) {}
}
export class UpdateContact {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly input: UpdateContactDto) {}
}
export class AssociateContact {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string) {}
}
export class DissociateContact {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string, readonly documents: DocumentsOnDissociation) {}
}
export class ChangePrimaryClient {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly clientId: string) {}
}

/** The company as its own stream tells it: it must exist in the caller's organization, and be active. */
async function requireActiveClient(executor: CommandExecutor, context: CommandContext, clientId: string): Promise<void> {
  const { state } = await executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
  if (!state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
  if (state.archived) throw new DomainError('conflict', 'client-archived', 'This client company is archived.');
}

@CommandHandler(RegisterClientCompany)
export class RegisterClientCompanyHandler implements ICommandHandler<RegisterClientCompany, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input }: RegisterClientCompany): Promise<Created> {
    const clientId = randomUUID();
    const { position } = await this.executor.execute({
      streamName: clientCompanyStream(clientId),
      decider: clientCompany,
      command: { type: 'RegisterClientCompany', clientId, name: input.name, email: input.email, website: input.website, address: input.address },
      context,
    });
    return { id: clientId, position: Number(position) };
  }
}

@CommandHandler(UpdateClientCompany)
export class UpdateClientCompanyHandler implements ICommandHandler<UpdateClientCompany, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, clientId, input }: UpdateClientCompany): Promise<Created> {
    const { position } = await this.executor.execute({
      streamName: clientCompanyStream(clientId),
      decider: clientCompany,
      command: { type: 'UpdateClientCompany', changes: input },
      context,
    });
    return { id: clientId, position: Number(position) };
  }
}

/**
 * Archiving keeps the history; the company leaves the lists, and every portal access of its
 * contacts is revoked, each with an event of its own.
 */
@CommandHandler(ArchiveClientCompany)
export class ArchiveClientCompanyHandler implements ICommandHandler<ArchiveClientCompany, Created & { revokedAccesses: number }> {
  private readonly logger = new Logger('ArchiveClientCompany');

  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, clientId }: ArchiveClientCompany): Promise<Created & { revokedAccesses: number }> {
    // Archiving again finishes what an interrupted archive left: the company stays archived,
    // and the sweep below revokes whatever access is still open.
    const current = await this.executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
    if (!current.state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    let position = current.state.archived
      ? current.position
      : (await this.executor.execute({ streamName: clientCompanyStream(clientId), decider: clientCompany, command: { type: 'ArchiveClientCompany' }, context })).position;
    // Which accesses belong to the company is a question for the read model; each access's
    // own stream then decides its revocation.
    await this.waiter.waitFor(position, 5_000);
    let revokedAccesses = 0;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: context.organizationId, clientId }, afterId, limit: 200 });
      for (const access of page) {
        if (access.status === 'Revoked') continue;
        try {
          const revoked: PortalAccessResult = await this.commands.execute(
            new RevokePortalAccess(context, access.contactId as string, 'client company archived', false, access.portalId as string),
          );
          revokedAccesses += 1;
          if (BigInt(revoked.position) > position) position = BigInt(revoked.position);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.logger.warn(`Access ${access.id} not revoked: ${error.message}`);
        }
      }
      if (page.length < 200) break;
      afterId = page[page.length - 1].id;
    }
    return { id: clientId, position: Number(position), revokedAccesses };
  }
}

@CommandHandler(AddContact)
export class AddContactHandler implements ICommandHandler<AddContact, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, clientId, input }: AddContact): Promise<Created> {
    // The client's own stream decides whether it exists (never a projection).
    await requireActiveClient(this.executor, context, clientId);
    const contactId = randomUUID();
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'AddContact', contactId, clientId, name: input.name, email: input.email, phone: input.phone },
      context,
    });
    return { id: contactId, position: Number(position) };
  }
}

@CommandHandler(UpdateContact)
export class UpdateContactHandler implements ICommandHandler<UpdateContact, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, input }: UpdateContact): Promise<Created> {
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'UpdateContact', changes: input },
      context,
    });
    return { id: contactId, position: Number(position) };
  }
}

@CommandHandler(AssociateContact)
export class AssociateContactHandler implements ICommandHandler<AssociateContact, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, clientId }: AssociateContact): Promise<Created> {
    await requireActiveClient(this.executor, context, clientId);
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'AssociateContact', clientId },
      context,
    });
    return { id: contactId, position: Number(position) };
  }
}

@CommandHandler(DissociateContact)
export class DissociateContactHandler implements ICommandHandler<DissociateContact, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, clientId, documents }: DissociateContact): Promise<Created> {
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'DissociateContact', clientId, documents },
      context,
    });
    return { id: contactId, position: Number(position) };
  }
}

@CommandHandler(ChangePrimaryClient)
export class ChangePrimaryClientHandler implements ICommandHandler<ChangePrimaryClient, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, clientId }: ChangePrimaryClient): Promise<Created> {
    await requireActiveClient(this.executor, context, clientId);
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'ChangePrimaryClient', clientId },
      context,
    });
    return { id: contactId, position: Number(position) };
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
];
