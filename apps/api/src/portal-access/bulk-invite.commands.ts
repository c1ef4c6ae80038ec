import { Inject, Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { clientCompany, clientCompanyStream, contact, ContactEvent, contactStream, DomainError, fold } from '@app/domain';
import { EventStore } from '@app/event-store';
import { CONTACT_MEMBERSHIPS_COLLECTION, ProjectionWaiter, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { InviteContact, InviteOptions } from './portal-access.commands';

export interface BulkInviteResult {
  invited: { contactId: string; clientId: string; accessId: string; position: number }[];
  skipped: { id: string; reason: string; detail: string }[];
  /** The last position written (0 when nothing was). */
  position: number;
}

/**
 * Invites many at once: each contact, or the primary contact of each company. Every entry is
 * its own InviteContact, so one bad entry (no email, already invited, unknown, the portal
 * full) is reported and never stops the rest; repeating the call invites nobody twice.
 *
 * A company's primary contact is the first contact added whose primary company it is (the
 * contacts' own streams decide; the memberships read model only lists the candidates).
 */
export class BulkInvite extends Command<BulkInviteResult> {
  constructor(
    readonly context: CommandContext,
    readonly targets: { clientIds?: string[]; contactIds?: string[] },
    readonly options: InviteOptions,
  ) {
    super();
  }
}

@CommandHandler(BulkInvite)
export class BulkInviteHandler implements ICommandHandler<BulkInvite> {
  private readonly logger = new Logger('BulkInvite');

  constructor(
    private readonly commands: CommandBus,
    private readonly executor: CommandExecutor,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  async execute({ context, targets, options }: BulkInvite): Promise<BulkInviteResult> {
    const result: BulkInviteResult = { invited: [], skipped: [], position: 0 };
    const entries: { id: string; contactId: () => Promise<string> }[] = [];
    if (targets.clientIds) {
      // Companies and contacts created just before this call are listed once projections catch up.
      if (!(await this.waiter.waitFor(await this.events.headPosition(), 5_000))) {
        throw new ProblemException(503, 'projections-behind', 'Service unavailable', 'The directory is catching up; try again in a moment.', {}, { 'retry-after': '1' });
      }
      for (const clientId of unique(targets.clientIds)) entries.push({ id: clientId, contactId: () => this.primaryContactOf(context, clientId) });
    }
    for (const contactId of unique(targets.contactIds ?? [])) entries.push({ id: contactId, contactId: async () => contactId });

    for (const entry of entries) {
      try {
        const contactId = await entry.contactId();
        const invited = await this.commands.execute(new InviteContact(context, contactId, options));
        const { state } = await this.executor.load(contactStream(contactId), contact, context.organizationId);
        result.invited.push({ contactId, clientId: state.clientId!, accessId: invited.accessId, position: invited.position });
        result.position = Math.max(result.position, invited.position);
      } catch (error) {
        if (error instanceof DomainError) {
          result.skipped.push({ id: entry.id, reason: error.code, detail: error.message });
        } else if (error instanceof ProblemException) {
          result.skipped.push({ id: entry.id, reason: error.code, detail: error.detail ?? error.title });
        } else {
          this.logger.error(`Bulk invite of ${entry.id} failed: ${(error as Error).message}`);
          result.skipped.push({ id: entry.id, reason: 'error', detail: 'This entry could not be invited; try it again.' });
        }
      }
    }
    return result;
  }

  private async primaryContactOf(context: CommandContext, clientId: string): Promise<string> {
    const { state: company } = await this.executor.load(clientCompanyStream(clientId), clientCompany, context.organizationId);
    if (!company.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    if (company.archived) throw new DomainError('conflict', 'client-archived', 'This client company is archived.');
    let first: { contactId: string; position: bigint } | undefined;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readStore.find(CONTACT_MEMBERSHIPS_COLLECTION, { where: { organizationId: context.organizationId, clientId }, afterId, limit: 200 });
      for (const membership of page) {
        const contactId = membership.contactId;
        const { events } = await this.events.readStream(contactStream(contactId));
        if (events.length === 0 || events[0].metadata.organizationId !== context.organizationId) continue;
        const person = fold(contact, events.map((e) => ({ type: e.type, data: e.data }) as ContactEvent));
        if (person.clientId !== clientId) continue;
        // Added first: its stream's first event came first in the log.
        if (!first || events[0].position < first.position) first = { contactId, position: events[0].position };
      }
      if (page.length < 200) break;
      afterId = page[page.length - 1].id;
    }
    if (!first) throw new DomainError('unprocessable', 'client-has-no-contacts', 'This client company has no contact of its own to invite.');
    return first.contactId;
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}
