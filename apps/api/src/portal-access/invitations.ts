import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertMayAcceptInvitation, contact, contactStream, DomainError, NewInvitation, portalAccess, PortalAccessState, portalAccessStream } from '@app/domain';
import { TokenSigner } from '@app/credentials';
import { EventStore } from '@app/event-store';
import { EmailMessage, escapeHtml, hasBuiltInInvitation, invitationEmail, projectsLine } from '@app/notifications';
import { Organizations } from '../organizations/organizations';
import { Portals, PortalView } from '../portal-configuration/portals.service';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE } from '../infrastructure/tokens';
import { CommandExecutor } from '../commands/command-executor';
import { FailureLimiter } from '../auth/failure-limiter';

/** Whether an invitation can still be accepted: `valid`, or why not (the decider's reasons). */
export const INVITATION_STATUSES = ['valid', 'used', 'superseded', 'expired', 'access-not-invited'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** What a page shows before the person accepts: who invited it to which portal, in which language. */
export interface InvitationDescription {
  status: InvitationStatus;
  organizationName: string;
  portalId: string;
  portalName: string;
  contactName: string;
  /** The username the person will sign in with. */
  email: string;
  /** The invitation's language, else the person's preference, else the portal's default. */
  language: string;
  expiresAt: string;
}

/** An invitation token's contents: which invitation of which access, in which organization. */
export interface InvitationReference {
  organizationId: string;
  accessId: string;
  invitationId: string;
}

/**
 * Invitations: new ones, their tokens, and their emails. A token is derived from the
 * invitation's ids (TokenSigner: an HMAC under a server key with a key id), so issuing one
 * writes nothing but the event; accepting checks the MAC, then the access's stream decides
 * whether it is the current invitation, unexpired and unused. The email is composed by the
 * portal access mailer (a reactor) after the event is stored, never on the request path.
 */
@Injectable()
export class Invitations {
  constructor(
    private readonly signer: TokenSigner,
    private readonly organizations: Organizations,
    private readonly portals: Portals,
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly limiter: FailureLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A new invitation: its id and its validity; nothing is stored (its event will be). */
  newInvitation(): NewInvitation {
    const now = Date.now();
    return {
      invitationId: randomUUID(),
      sentAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.inviteTtlSeconds * 1000).toISOString(),
    };
  }

  /** The secret of an invitation: goes into its email only, never into an event, a log or an answer. */
  tokenFor(invitation: InvitationReference): string {
    return this.signer.sign('invitation', [invitation.organizationId, invitation.accessId, invitation.invitationId]);
  }

  /** What a token names, if it is one this service signed; null otherwise (tampered, forged, garbled). */
  read(token: string): InvitationReference | null {
    const ids = this.signer.verify('invitation', token, 3);
    return ids && { organizationId: ids[0], accessId: ids[1], invitationId: ids[2] };
  }

  /**
   * Describes an invitation by its token without accepting it. An unknown token answers 400
   * `invalid-token` and counts as a failed acceptance for the client address (the same brake
   * as accepting); whether a known one can still be accepted is the decider's answer.
   */
  async describe(token: string, clientAddress: string): Promise<InvitationDescription> {
    const byAddress = `accept:address:${clientAddress}`;
    await this.limiter.check([byAddress]);
    const reference = this.read(token);
    const found = reference && (await this.executor.load(portalAccessStream(reference.accessId), portalAccess, reference.organizationId));
    const state = found?.state;
    if (!reference || !state?.status || !state.contactId || !state.portalId) {
      await this.limiter.fail([byAddress]);
      throw new DomainError('invalid', 'invalid-token', 'This invitation link is not valid.');
    }
    const { organizationId, invitationId } = reference;
    const [person, portal, organization, expiresAt] = await Promise.all([
      this.executor.load(contactStream(state.contactId), contact, organizationId),
      this.portals.resolve(organizationId, state.portalId),
      this.organizations.get(organizationId),
      invitationId === state.invitationId ? state.invitationExpiresAt! : this.expiryOf(reference),
    ]);
    return {
      status: invitationStatus(state, invitationId),
      organizationName: organization.name ?? this.config.organizationName,
      portalId: portal.id,
      portalName: portal.name,
      contactName: person.state.name ?? state.email ?? '',
      email: state.email ?? '',
      language: state.invitationLanguage ?? state.preferences.language ?? portal.defaultLanguage,
      expiresAt,
    };
  }

  /**
   * The invitation email in the given language: the portal's own template for it (or its base
   * language, or the portal's default language), else the built-in text. `projects`: the names of
   * the projects the person is a client user of, listed in the email.
   */
  async email(
    invitation: InvitationReference & { expiresAt: string },
    to: { email: string; name: string },
    portal: PortalView,
    language: string,
    projects: readonly string[] = [],
  ): Promise<EmailMessage> {
    const acceptUrl = `${this.config.publicPortalUrl}/accept-invitation?token=${encodeURIComponent(this.tokenFor(invitation))}`;
    const portalUrl = portal.isDefault ? this.config.publicPortalUrl : `${this.config.publicPortalUrl}/${portal.slug}`;
    const { name, timeZone } = await this.organizations.get(invitation.organizationId);
    const organizationName = name ?? this.config.organizationName;
    const vars = { contactName: to.name, portalUrl, username: to.email, acceptUrl, organizationName, expiresAt: invitation.expiresAt };
    // The person's language first (the portal's template, else the built-in text), then the
    // portal's default language.
    const custom = this.portals.renderInvitation(portal, language, vars, { fallbackToDefaultLanguage: !hasBuiltInInvitation(language) });
    if (!custom && !hasBuiltInInvitation(language)) language = portal.defaultLanguage;
    const listed = custom && projects.length ? `${custom.text}\n\n${projectsLine(language, projects)}\n` : custom?.text;
    return custom
      ? { to: to.email, subject: custom.subject, text: listed!, html: `<p>${escapeHtml(listed!).replace(/\r?\n/g, '<br>\n')}</p>` }
      : invitationEmail({ to: to.email, contactName: to.name, organizationName, portalUrl, acceptUrl, expiresAt: invitation.expiresAt, language, timeZone, projects });
  }

  /** The email telling a person its portal access was removed (when staff ask for it). */
  async revocationNotice(organizationId: string, to: { email: string; name: string }): Promise<EmailMessage> {
    const { name } = await this.organizations.get(organizationId);
    const organizationName = name ?? this.config.organizationName;
    return {
      to: to.email,
      subject: `Your access to the ${organizationName} client portal was removed`,
      text: `Hello ${to.name},\n\nYour access to the ${organizationName} client portal (${this.config.publicPortalUrl}) was removed.\nIf you think this is a mistake, please contact ${organizationName}.\n`,
      html: `<p>Hello ${escapeHtml(to.name)},</p><p>Your access to the ${escapeHtml(organizationName)} client portal was removed.</p>`,
    };
  }

  /** When an earlier invitation of the access expired(s): from the event that issued it. */
  private async expiryOf(reference: InvitationReference): Promise<string> {
    const { events } = await this.events.readStream(portalAccessStream(reference.accessId));
    const issued = events.find((event) => event.data.invitationId === reference.invitationId && typeof event.data.expiresAt === 'string');
    return (issued?.data.expiresAt as string | undefined) ?? new Date(0).toISOString();
  }
}

/** The domain's answer to accepting now: valid, or the reason it would refuse. */
function invitationStatus(state: PortalAccessState, invitationId: string): InvitationStatus {
  try {
    assertMayAcceptInvitation(state, invitationId, new Date().toISOString());
    return 'valid';
  } catch (error) {
    const reason = error instanceof DomainError ? error.details.reason : undefined;
    return INVITATION_STATUSES.includes(reason as InvitationStatus) ? (reason as InvitationStatus) : 'access-not-invited';
  }
}
