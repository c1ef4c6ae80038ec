import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Mailer, notificationEmail, NotificationEmailInput } from '@app/notifications';
import { clientCompany, clientCompanyStream, contact, contactStream, documentStream, portalAccess, portalAccessStream } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { EventStore } from '@app/event-store';
import { KeyValueStore } from '@app/credentials';
import { NotificationRow, notificationOf, notificationsProjection } from '@app/projections';
import { LogReactor } from '../reactors/log-reactor';
import { underLease } from '../reactors/under-lease';
import { LeasedTask, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE, READ_STORE } from '../infrastructure/tokens';
import { Organizations } from '../organizations/organizations';

export const NOTIFICATION_MAILER = 'notification_emails_v1';

/**
 * Emails each notification to the organization's notification address, where it has one.
 * A reactor, not a request: it follows the log (only the events that cause notifications)
 * from a checkpoint of its own, so a client's request never waits for (or fails with) the
 * mail server. Each notification is recorded in the outbox once, keyed by its id, however
 * often its event is handled again. A first start begins at the head: history is not emailed.
 * Runs where RUN_REACTORS is on (the default), in one instance at a time (a lease).
 */
@Injectable()
export class NotificationMailer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly reactor: LogReactor;
  /** One instance runs the reactor at a time. */
  private readonly lease: LeasedTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(KEY_VALUE_STORE) kv: KeyValueStore,
    @Inject(READ_STORE) readStore: ReadStore,
    private readonly mailer: Mailer,
    private readonly organizations: Organizations,
    private readonly executor: CommandExecutor,
  ) {
    const eventTypes = notificationsProjection.eventTypes === '*' ? [] : notificationsProjection.eventTypes.filter((type) => type !== 'NotificationRead');
    this.reactor = new LogReactor(events, kv, {
      name: NOTIFICATION_MAILER,
      eventTypes,
      handle: async (event) => {
        const row = notificationOf(event);
        if (row) await this.deliver(row);
      },
    });
    this.lease = underLease(readStore, config, `reactor:${NOTIFICATION_MAILER}`, this.reactor);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.runReactors) await this.lease.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lease.stop();
  }

  /** Records the email of one notification (once per notification: keyed by its id). */
  private async deliver(row: NotificationRow): Promise<void> {
    const organization = await this.organizations.get(row.organizationId);
    const to = organization.settings.notificationEmail;
    if (!to) return;
    const names = await this.namesOf(row);
    await this.mailer.send(
      notificationEmail({
        to,
        organizationName: organization.name ?? this.config.organizationName,
        language: organization.settings.notificationLanguage ?? null,
        timeZone: organization.timeZone,
        type: row.type,
        occurredAt: row.occurredAt,
        details: row.details,
        ...names,
      }),
      // Durable with the reactor's checkpoint (LogReactor), not on its own.
      { key: row.id, at: row.occurredAt, durable: false },
    );
  }

  /**
   * What a person reads instead of ids: the contact's and the company's names from their own
   * streams, the document's number and title from its first event (what it was shared as).
   */
  private async namesOf(row: NotificationRow): Promise<Pick<NotificationEmailInput, 'actorName' | 'companyName' | 'document'>> {
    // Who acted: the portal user's own contact (its access names it), else the contact the event names.
    const access = row.actor.kind === 'portal-user' ? await this.executor.load(portalAccessStream(row.actor.id), portalAccess, row.organizationId) : null;
    const contactId = access?.state.contactId ?? row.contactId;
    const [person, company, document] = await Promise.all([
      contactId ? this.executor.load(contactStream(contactId), contact, row.organizationId) : null,
      row.clientId ? this.executor.load(clientCompanyStream(row.clientId), clientCompany, row.organizationId) : null,
      row.documentId && row.kind ? this.events.readStream(documentStream(row.kind, row.documentId)) : null,
    ]);
    const first = document?.events[0]?.data as { number?: unknown; title?: unknown; staffMember?: { name?: unknown } } | undefined;
    const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
    return {
      actorName: person?.state.name ?? null,
      companyName: company?.state.name ?? null,
      document: row.kind ? { kind: row.kind, number: text(first?.number), title: text(first?.title) ?? text(first?.staffMember?.name) } : null,
    };
  }
}
