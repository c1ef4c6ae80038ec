import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientCompanyStream, contactStream, ensureClientCompany, ensureProject, importContact, project, ProjectCommand, projectStream } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { currentCompanies } from '../directory/contact-companies';
import { CommandContext } from '../http/request-context';

/*
 * The writes of a contact import, one command per row's step. Imports are "make it so": what
 * exists is left as it is (the domain's import deciders, libs/domain/src/imports.ts), so
 * importing the same file again writes nothing.
 */

/** A company a row names that the directory does not have yet: registered, once per import. */
export class EnsureImportedCompany extends Command<{ registered: boolean; position: bigint }> {
  constructor(
    readonly context: CommandContext,
    readonly company: { id: string; name: string; email?: string | null; website?: string | null },
  ) {
    super();
  }
}

@CommandHandler(EnsureImportedCompany)
export class EnsureImportedCompanyHandler implements ICommandHandler<EnsureImportedCompany> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, company }: EnsureImportedCompany): Promise<{ registered: boolean; position: bigint }> {
    const { events, position } = await this.executor.execute({
      streamName: clientCompanyStream(company.id),
      decider: ensureClientCompany,
      command: { type: 'RegisterClientCompany', clientId: company.id, name: company.name, email: company.email, website: company.website },
      context,
    });
    return { registered: events.length > 0, position };
  }
}

export interface ContactRowImported {
  contactAdded: boolean;
  associationsAdded: number;
  /** The contact stream's last position (written now or not). */
  position: bigint;
}

/** A row's contact: added unless it exists, and associated with the row's companies it lacks, in one append. */
export class ImportContactRow extends Command<ContactRowImported> {
  constructor(
    readonly context: CommandContext,
    readonly contactId: string,
    readonly companyId: string,
    readonly contact: { name: string; email?: string | null; phone?: string | null },
    readonly associatedCompanyIds: string[],
  ) {
    super();
  }
}

@CommandHandler(ImportContactRow)
export class ImportContactRowHandler implements ICommandHandler<ImportContactRow> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, companyId, contact, associatedCompanyIds }: ImportContactRow): Promise<ContactRowImported> {
    const { events, position } = await this.executor.execute({
      streamName: contactStream(contactId),
      decider: importContact,
      command: { type: 'ImportContact', add: { type: 'AddContact', contactId, clientId: companyId, ...contact }, associate: associatedCompanyIds },
      context,
    });
    return {
      contactAdded: events.some((event) => event.type === 'ContactAdded'),
      associationsAdded: events.filter((event) => event.type === 'ContactAssociated').length,
      position,
    };
  }
}

/** A project the file's `project` column names that does not exist yet: created (billed `none`), once per import. Answers the position written, 0n when none. */
export class EnsureImportedProject extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly projectId: string,
    readonly name: string,
  ) {
    super();
  }
}

@CommandHandler(EnsureImportedProject)
export class EnsureImportedProjectHandler implements ICommandHandler<EnsureImportedProject> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, projectId, name }: EnsureImportedProject): Promise<bigint> {
    const { events, position } = await this.executor.execute({
      streamName: projectStream(projectId),
      decider: ensureProject,
      command: { type: 'CreateProject', projectId, name, billingMethod: 'none' },
      context,
    });
    return events.length > 0 ? position : 0n;
  }
}

/**
 * A row's company joins its project (the first one as its primary client), and its contact
 * follows as a client user; not invited. Answers the last position written, 0n when none.
 */
export class JoinImportedProject extends Command<bigint> {
  constructor(
    readonly context: CommandContext,
    readonly projectId: string,
    readonly clientId: string,
    readonly contactId: string,
  ) {
    super();
  }
}

@CommandHandler(JoinImportedProject)
export class JoinImportedProjectHandler implements ICommandHandler<JoinImportedProject> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, projectId, clientId, contactId }: JoinImportedProject): Promise<bigint> {
    let position = 0n;
    const onProject = async (command: ProjectCommand) => {
      const written = await this.executor.execute({ streamName: projectStream(projectId), decider: project, command, context });
      if (written.events.length > 0 && written.position > position) position = written.position;
    };
    await onProject({ type: 'AddClientCompanyToProject', clientId });
    const { clientIds } = await currentCompanies(this.executor, context.organizationId, contactId);
    await onProject({ type: 'AddClientUserToProject', contactId, contactClientIds: clientIds, clientId });
    return position;
  }
}

export const IMPORT_COMMAND_HANDLERS = [EnsureImportedCompanyHandler, ImportContactRowHandler, EnsureImportedProjectHandler, JoinImportedProjectHandler];
