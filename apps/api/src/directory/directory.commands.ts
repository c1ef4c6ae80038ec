import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { clientCompany, clientCompanyStream, contact, contactStream, DomainError } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
import { AddContactDto, RegisterClientCompanyDto } from './directory.dto';

export class RegisterClientCompany {
  constructor(
    readonly context: CommandContext,
    readonly input: RegisterClientCompanyDto,
  ) {}
}

export class AddContact {
  constructor(
    readonly context: CommandContext,
    readonly clientId: string,
    readonly input: AddContactDto,
  ) {}
}

export interface Created {
  id: string;
  position: number;
}

@CommandHandler(RegisterClientCompany)
export class RegisterClientCompanyHandler implements ICommandHandler<RegisterClientCompany, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input }: RegisterClientCompany): Promise<Created> {
    const clientId = randomUUID();
    const { position } = await this.executor.execute({
      streamName: clientCompanyStream(clientId),
      decider: clientCompany,
      command: { type: 'RegisterClientCompany', clientId, name: input.name, email: input.email, website: input.website },
      context,
    });
    return { id: clientId, position: Number(position) };
  }
}

@CommandHandler(AddContact)
export class AddContactHandler implements ICommandHandler<AddContact, Created> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, clientId, input }: AddContact): Promise<Created> {
    // The client's own stream decides whether it exists (never a projection).
    const client = await this.executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
    if (!client.state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    const contactId = randomUUID();
    const { position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: contact,
      command: { type: 'AddContact', contactId, clientId, name: input.name, email: input.email },
      context,
    });
    return { id: contactId, position: Number(position) };
  }
}

export const DIRECTORY_COMMAND_HANDLERS = [RegisterClientCompanyHandler, AddContactHandler];
