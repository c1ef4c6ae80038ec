import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Mailer, notificationEmail, NotificationEmailInput } from '@app/notifications';
import { clientCompany, clientCompanyStream, contact, contactStream, documentStream, portalAccess, portalAccessStream } from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { EventStore } from '@app/event-store';
import { KeyValueStore } from '@app/credentials';
import { NotificationRow, notificationOf } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE } from '../infrastructure/tokens';
import { Organizations } from '../organizations/organizations';

const CHECKPOINTS = 'reactor-checkpoint';
const SENT = 'notification-email-sent';
export const NOTIFICATION_MAILER = 'notification_emails_v1';
const CHECKPOINT_EVERY = 1000;

/**
 * Emails each notification to the organization's notification address, where it has one.
 * A reactor, not a request: it follows the event store from a checkpoint of its own, so a
 * client's request never waits for (or fails with) the mail server, and each notification is
 * emailed once: a sent marker per notification is written after each email and checked before
 * it, and the checkpoint moves past it (a crash between sending and the marker can repeat
 * that one email, never lose it). A first start begins at the head: history is not emailed.
 * Runs where RUN_REACTORS is on (the default): in exactly one API instance.
 */
@Injectable()
export class NotificationMailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotificationMailer');
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private reached: bigint | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly mailer: Mailer,
    private readonly organizations: Organizations,
    private readonly executor: CommandExecutor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.runReactors) return;
    let checkpoint = await this.kv.get<{ position: string }>(CHECKPOINTS, NOTIFICATION_MAILER);
    if (!checkpoint) {
      checkpoint = { position: (await this.events.headPosition()).toString() };
      await this.kv.set(CHECKPOINTS, NOTIFICATION_MAILER, checkpoint);
    }
    this.abort = new AbortController();
    this.loop = this.run(BigInt(checkpoint.position), this.abort.signal);
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  /** For tests: resolves once the reactor has handled the log up to a position. */
  async waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.reached === undefined || this.reached < position) {
      if (Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        this.waiters.add(done);
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
      });
    }
    return true;
  }

  private async run(from: bigint, signal: AbortSignal): Promise<void> {
    let after = from;
    this.reached = after;
    let failures = 0;
    let unsaved = 0;
    while (!signal.aborted) {
      try {
        for await (const event of this.events.subscribeToAll({ after, signal })) {
          const row = notificationOf(event);
          const sent = row ? await this.deliver(row) : false;
          after = event.position;
          // Saved after each email, and every so many events otherwise: a restart re-reads at
          // most that many, and the sent markers keep it from emailing anything twice.
          if (sent || ++unsaved >= CHECKPOINT_EVERY) {
            await this.kv.set(CHECKPOINTS, NOTIFICATION_MAILER, { position: after.toString() });
            unsaved = 0;
          }
          this.reached = after;
          for (const waiter of [...this.waiters]) waiter();
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        this.logger.error(`Notification email failed (attempt ${failures}); resuming from the checkpoint`, error instanceof Error ? error.stack : String(error));
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** failures, 30_000)));
      }
    }
  }

  /** Emails one notification unless it was emailed before; true when it sent one. */
  private async deliver(row: NotificationRow): Promise<boolean> {
    if (await this.kv.get(SENT, row.id)) return false;
    const organization = await this.organizations.get(row.organizationId);
    const to = organization.settings.notificationEmail;
    if (!to) return false;
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
    );
    await this.kv.set(SENT, row.id, { sentAt: new Date().toISOString(), to });
    return true;
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
