import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { contact, contactStream, PortalAccessEvent, portalAccess, PortalAccessState, portalAccessStream, project, projectStream } from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { KeyValueStore, TokenSigner } from '@app/credentials';
import { EmailMessage, Mailer, passwordResetEmail } from '@app/notifications';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE, READ_STORE } from '../infrastructure/tokens';
import { Organizations } from '../organizations/organizations';
import { Portals, PortalView } from '../portal-configuration/portals.service';
import { LogReactor } from '../reactors/log-reactor';
import { underLease } from '../reactors/under-lease';
import { LeasedTask, ReadStore } from '@app/projections';
import { Invitations } from './invitations';

/** The reactor's name: its checkpoint, and its lease (`reactor:<name>`). */
const PORTAL_ACCESS_MAILER = 'portal_access_emails_v1';

/** The events that send a person an email about its portal access. */
const EMAILED = ['ContactInvited', 'InvitationResent', 'PortalAccessEnabled', 'PortalAccessRevoked', 'PortalPasswordResetRequested'] as const satisfies readonly PortalAccessEvent['type'][];

/**
 * The emails of the portal access lifecycle, composed and recorded in the outbox after the
 * event is stored, by a reactor that follows the log (never on the request path): invitations,
 * re-sent and renewed ones, revocation notices, password reset links. The token in a link is
 * derived from the event's ids, so nothing secret is stored anywhere.
 *
 * An email goes out only while it still means something: an invitation that was superseded,
 * accepted or withdrawn before the reactor reached it is not sent (its link would not work);
 * the same for a reset link. Handled again after a crash, an event records no second email
 * (the outbox entry is keyed by the event's id). Runs where RUN_REACTORS is on, in one instance at a time (a lease).
 */
@Injectable()
export class PortalAccessMailer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly reactor: LogReactor;
  /** One instance runs the reactor at a time. */
  private readonly lease: LeasedTask;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: Invitations,
    private readonly portals: Portals,
    private readonly organizations: Organizations,
    private readonly mailer: Mailer,
    private readonly signer: TokenSigner,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(KEY_VALUE_STORE) kv: KeyValueStore,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.reactor = new LogReactor(events, kv, { name: PORTAL_ACCESS_MAILER, eventTypes: EMAILED, handle: (event) => this.handle(event) });
    this.lease = underLease(readStore, config, `reactor:${PORTAL_ACCESS_MAILER}`, this.reactor);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.runReactors) await this.lease.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lease.stop();
  }

  private async handle(event: RecordedEvent): Promise<void> {
    const organizationId = event.metadata.organizationId;
    const accessId = String(event.data.accessId);
    const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
    if (!state.contactId || !state.portalId || !state.email) return;
    const message = await this.compose(event as unknown as RecordedEvent & PortalAccessEvent, organizationId, accessId, state);
    // Durable with the reactor's checkpoint (LogReactor), not on its own.
    if (message) await this.mailer.send(message, { key: event.id, at: event.recordedAt, durable: false });
  }

  private async compose(event: PortalAccessEvent, organizationId: string, accessId: string, state: PortalAccessState): Promise<EmailMessage | null> {
    switch (event.type) {
      case 'ContactInvited':
      case 'InvitationResent':
      case 'PortalAccessEnabled': {
        const invitationId = event.data.invitationId;
        // Only the current, still pending invitation: an older link would not work.
        if (!invitationId || state.status !== 'Invited' || state.invitationId !== invitationId) return null;
        const portal = await this.portals.resolve(organizationId, state.portalId!);
        const to = { email: state.email!, name: await this.nameOf(organizationId, state) };
        // An invitation's own language first (chosen when inviting), then the person's choice, then the portal's.
        const language = (event.type === 'ContactInvited' && event.data.language) || invitationLanguage(state, portal);
        const projects = event.type === 'ContactInvited' ? await this.projectNames(organizationId, event.data.projectIds ?? []) : [];
        return this.invitations.email({ organizationId, accessId, invitationId, expiresAt: state.invitationExpiresAt! }, to, portal, language, projects);
      }
      case 'PortalAccessRevoked':
        if (!event.data.notify) return null;
        return this.invitations.revocationNotice(organizationId, { email: state.email!, name: await this.nameOf(organizationId, state) });
      case 'PortalPasswordResetRequested': {
        const { requestId } = event.data;
        if (state.status !== 'Active' || state.passwordReset?.requestId !== requestId) return null;
        const organization = await this.organizations.get(organizationId);
        const token = this.signer.sign('password-reset', [organizationId, accessId, requestId]);
        return passwordResetEmail({
          to: state.email!,
          organizationName: organization.name ?? this.config.organizationName,
          resetUrl: `${this.config.publicPortalUrl}/reset-password?token=${encodeURIComponent(token)}`,
          expiresAt: state.passwordReset.expiresAt,
          language: state.preferences.language ?? state.invitationLanguage,
          timeZone: state.preferences.timeZone ?? organization.timeZone,
        });
      }
      default:
        return null;
    }
  }

  /** The names of the projects an invitation names, from their streams. */
  private async projectNames(organizationId: string, projectIds: readonly string[]): Promise<string[]> {
    const states = await Promise.all(projectIds.map((projectId) => this.executor.load(projectStream(projectId), project, organizationId)));
    return states.map(({ state }) => state.name).filter((name): name is string => typeof name === 'string' && name.length > 0);
  }

  private async nameOf(organizationId: string, state: PortalAccessState): Promise<string> {
    const { state: person } = await this.executor.load(contactStream(state.contactId!), contact, organizationId);
    return person.name ?? state.email!;
  }
}

/** The person's own choice once made, else the language it was invited in, else the portal's. */
function invitationLanguage(access: PortalAccessState, portal: PortalView): string {
  return access.preferences.language ?? access.invitationLanguage ?? portal.defaultLanguage;
}
