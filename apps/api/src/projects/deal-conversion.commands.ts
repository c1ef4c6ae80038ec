import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  clientCompany,
  clientCompanyStream,
  contactStream,
  DomainError,
  nameBasedUuid,
  project,
  projectStream,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { ProjectionWaiter, projectNameKey, PROJECTS_COLLECTION, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { currentCompanies } from '../directory/contact-companies';
import { requireActiveClient } from '../directory/require-active-client';
import { CommandContext } from '../http/request-context';
import { importCompanyId, importContactId } from '../imports/contact-import';
import { DirectoryMatcher } from '../imports/directory-matches';
import { assertMayImportContact, assertValidProject, ensureClientCompany, ImportContactCommand, importContact } from '@app/domain';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { DealConvertedView, DealDto } from './projects.dto';
import { InvitationPlan, ProjectInvitations } from './projects.commands';
import { projectView } from './projects.queries';

/** How long a conversion waits for the read models (names are matched against them). */
const DIRECTORY_WAIT_MS = 5_000;

interface PlannedContact {
  contactId: string;
  command: ImportContactCommand;
  email: string | null;
}

/**
 * A CRM deal becomes a project: the project named like the deal (not archived; a new one
 * otherwise, its id derived from the name so that converting the same deal again finds it),
 * its company (an existing one by id or by name, else registered) as the primary client where
 * the project has none, else as a plain client, and its contacts (by id, by email, else added
 * to the company) as client users, those without portal access invited. Everything is looked
 * up and checked before the first write; converting the same deal again writes nothing new.
 */
export class ConvertDealToProject extends Command<DealConvertedView> {
  constructor(readonly context: CommandContext, readonly input: DealDto) {
    super();
  }
}

@CommandHandler(ConvertDealToProject)
export class ConvertDealToProjectHandler implements ICommandHandler<ConvertDealToProject> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: ProjectInvitations,
    private readonly waiter: ProjectionWaiter,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async execute({ context, input }: ConvertDealToProject): Promise<DealConvertedView> {
    const organizationId = context.organizationId;
    // Names are matched against the read models: let them catch up with what is written (briefly).
    await this.waiter.waitFor(await this.events.headPosition(), DIRECTORY_WAIT_MS);
    const matcher = new DirectoryMatcher(this.readStore, organizationId);

    // The project.
    const key = projectNameKey(input.dealName);
    const named = (await this.readStore.find(PROJECTS_COLLECTION, { where: { organizationId, nameKey: key }, limit: 10 })).filter((doc) => doc.archived === false);
    if (named.length > 1) {
      throw new DomainError('conflict', 'several-projects-named', `Several projects are named like "${input.dealName}": add the company and contacts to one of them.`, {
        projectIds: named.map((doc) => doc.id),
      });
    }
    const projectId = named[0]?.id ?? nameBasedUuid(`deal-project:${organizationId}:${key}`);
    const before = (await this.executor.load(projectStream(projectId), project, organizationId)).state;
    const create = { type: 'CreateProject' as const, projectId, name: input.dealName, billingMethod: input.billingMethod ?? 'none' };
    if (!before.exists) assertValidProject(create);
    else if (before.archived) throw new DomainError('conflict', 'project-archived', 'The project made from this deal is archived.');

    // The company.
    let clientId: string;
    let registerCompany = false;
    if (input.company.clientId) {
      clientId = input.company.clientId.toLowerCase();
      await requireActiveClient(this.executor, context, clientId);
    } else {
      const name = input.company.name!;
      const found = await matcher.companiesNamed(name);
      if (found.length > 1) throw new DomainError('conflict', 'several-companies-named', `Several client companies are named like "${name}": give the clientId.`, { clientIds: found });
      clientId = found[0] ?? importCompanyId(organizationId, name);
      const company = (await this.executor.load(clientCompanyStream(clientId), clientCompany, organizationId)).state;
      if (company.archived) throw new DomainError('conflict', 'client-archived', 'This client company is archived.');
      registerCompany = !company.registered;
    }

    // The contacts.
    const planned: PlannedContact[] = [];
    for (const [index, given] of input.contacts.entries()) {
      let contactId: string;
      let name = given.name ?? '';
      let email = given.email?.trim().toLowerCase() ?? null;
      if (given.contactId) {
        contactId = given.contactId.toLowerCase();
        const { person } = await currentCompanies(this.executor, organizationId, contactId);
        if (!person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.', { field: `contacts.${index}.contactId` });
        name = person.name ?? name;
        email = person.email;
      } else if (email) {
        const found = await matcher.contactsWithEmail(email);
        if (found.length > 1) throw new DomainError('conflict', 'several-contacts', `Several contacts have the address ${email}: give the contactId.`, { field: `contacts.${index}.email` });
        contactId = found[0] ?? importContactId(organizationId, { name, email }, clientId);
      } else {
        contactId = importContactId(organizationId, { name, email: null }, clientId);
      }
      if (planned.some((p) => p.contactId === contactId)) continue;
      const command: ImportContactCommand = {
        type: 'ImportContact',
        add: { type: 'AddContact', contactId, clientId, name, email, phone: given.phone ?? null },
        associate: [],
      };
      const current = (await this.executor.load(contactStream(contactId), importContact, organizationId)).state;
      assertMayImportContact(current, command);
      planned.push({ contactId, command, email: current.exists ? current.email : email });
    }
    const invitationPlans = new Map<string, InvitationPlan>();
    for (const contact of planned) {
      invitationPlans.set(contact.contactId, await this.invitations.plan(context, contact.contactId, contact.email, input));
    }

    // The writes: company, contacts, project, company in it, users in it, invitations.
    let position = 0n;
    const wrote = (at: bigint) => (position = at > position ? at : position);
    if (registerCompany) {
      const { name, email, website } = input.company;
      wrote((await this.executor.execute({ streamName: clientCompanyStream(clientId), decider: ensureClientCompany, command: { type: 'RegisterClientCompany', clientId, name: name!, email, website }, context })).position);
    }
    for (const contact of planned) {
      wrote((await this.executor.execute({ streamName: contactStream(contact.contactId), decider: importContact, command: contact.command, context })).position);
    }
    const onProject = async (command: Parameters<typeof project.decide>[0]) => {
      const written = await this.executor.execute({ streamName: projectStream(projectId), decider: project, command, context });
      wrote(written.position);
      return written.state;
    };
    let state = before.exists ? before : await onProject(create);
    const primary = state.primaryClientId === null || state.primaryClientId === clientId;
    state = await onProject({ type: 'AddClientCompanyToProject', clientId, primary });
    const invited: string[] = [];
    for (const contact of planned) {
      const { clientIds } = await currentCompanies(this.executor, organizationId, contact.contactId);
      state = await onProject({ type: 'AddClientUserToProject', contactId: contact.contactId, contactClientIds: clientIds, clientId });
      const outcome = await this.invitations.carryOut(context, contact.contactId, invitationPlans.get(contact.contactId)!, [projectId]);
      if (outcome.status === 'invited') invited.push(contact.contactId);
    }
    // Nothing new (the same deal again): the project's last position.
    if (position === 0n) position = (await this.executor.load(projectStream(projectId), project, organizationId)).position;
    return {
      ...projectView(state),
      position: Number(position),
      deal: { projectCreated: !before.exists, clientId, clientRegistered: registerCompany, primary: state.primaryClientId === clientId, contactIds: planned.map((p) => p.contactId), invited },
    };
  }
}
