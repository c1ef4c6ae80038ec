import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { contact, contactStream, DomainError, NewInvitation, portalAccess, portalAccessStream } from '@app/domain';
import { CredentialStore, hashToken, newToken } from '@app/credentials';
import { escapeHtml, hasBuiltInInvitation, invitationEmail, Mailer, projectsLine } from '@app/notifications';
import { Organizations } from '../organizations/organizations';
import { Portals, PortalView } from '../portals/portals.service';
import { AppConfig } from '../config';
import { APP_CONFIG } from '../infrastructure/tokens';
import { CommandExecutor } from '../commands/command-executor';
import { FailureLimiter } from '../auth/failure-limiter';

export interface IssuedInvitation extends NewInvitation {
  /** The secret: goes into the email only, never into an event, a log or a response. */
  token: string;
}

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

/**
 * Invitation secrets and emails. A new invitation's token hash is stored before the event
 * that announces it, so the emailed link works as soon as the invitation exists; an
 * invitation whose event was never appended is simply never the current one.
 */
@Injectable()
export class Invitations {
  private readonly logger = new Logger('Invitations');

  constructor(
    private readonly credentials: CredentialStore,
    private readonly mailer: Mailer,
    private readonly organizations: Organizations,
    private readonly portals: Portals,
    private readonly executor: CommandExecutor,
    private readonly limiter: FailureLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async issue(organizationId: string, accessId: string): Promise<IssuedInvitation> {
    const now = Date.now();
    const invitation: IssuedInvitation = {
      invitationId: randomUUID(),
      sentAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.inviteTtlSeconds * 1000).toISOString(),
      token: newToken(),
    };
    await this.credentials.saveInvitationToken(hashToken(invitation.token), {
      organizationId,
      accessId,
      invitationId: invitation.invitationId,
      expiresAt: invitation.expiresAt,
    });
    return invitation;
  }

  /**
   * Describes an invitation by its token without accepting it. An unknown token answers 400
   * `invalid-token` and counts as a failed acceptance for the client address (the same brake
   * as accepting); whether a known one can still be accepted is the decider's answer.
   */
  async describe(token: string, clientAddress: string): Promise<InvitationDescription> {
    const byAddress = `accept:address:${clientAddress}`;
    this.limiter.check([byAddress]);
    const record = await this.credentials.findInvitationToken(hashToken(token));
    if (!record) {
      this.limiter.fail([byAddress]);
      throw new DomainError('invalid', 'invalid-token', 'This invitation link is not valid.');
    }
    const { organizationId, accessId, invitationId } = record;
    const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
    if (!state.status || !state.contactId || !state.portalId) throw new DomainError('invalid', 'invalid-token', 'This invitation link is not valid.');
    const [person, portal, organization] = await Promise.all([
      this.executor.load(contactStream(state.contactId), contact, organizationId),
      this.portals.resolve(organizationId, state.portalId),
      this.organizations.get(organizationId),
    ]);
    return {
      status: invitationStatus(state, invitationId),
      organizationName: organization.name ?? this.config.organizationName,
      portalId: portal.id,
      portalName: portal.name,
      contactName: person.state.name ?? state.email ?? '',
      email: state.email ?? '',
      language: state.invitationLanguage ?? state.preferences.language ?? portal.defaultLanguage,
      expiresAt: invitationId === state.invitationId ? state.invitationExpiresAt! : record.expiresAt,
    };
  }

  /**
   * Sends the invitation email in the given language: the portal's own template for it (or
   * its base language, or the portal's default language), else the built-in text. False (and
   * a log line without the token) if it could not be sent. `projects`: the projects the person
   * is invited into, listed in the email.
   */
  async send(
    organizationId: string,
    invitation: IssuedInvitation,
    to: { email: string; name: string },
    portal: PortalView,
    language: string,
    projects: readonly string[] = [],
  ): Promise<boolean> {
    const acceptUrl = `${this.config.publicPortalUrl}/accept-invitation?token=${encodeURIComponent(invitation.token)}`;
    const portalUrl = portal.isDefault ? this.config.publicPortalUrl : `${this.config.publicPortalUrl}/${portal.slug}`;
    const { name, timeZone } = await this.organizations.get(organizationId);
    const organizationName = name ?? this.config.organizationName;
    const vars = { contactName: to.name, portalUrl, username: to.email, acceptUrl, organizationName, expiresAt: invitation.expiresAt };
    // The person's language first (the portal's template, else the built-in text), then the
    // portal's default language.
    const custom = this.portals.renderInvitation(portal, language, vars, { fallbackToDefaultLanguage: !hasBuiltInInvitation(language) });
    if (!custom && !hasBuiltInInvitation(language)) language = portal.defaultLanguage;
    const listed = custom && projects.length ? `${custom.text}\n\n${projectsLine(language, projects)}\n` : custom?.text;
    const message = custom
      ? { to: to.email, subject: custom.subject, text: listed!, html: `<p>${escapeHtml(listed!).replace(/\r?\n/g, '<br>\n')}</p>` }
      : invitationEmail({ to: to.email, contactName: to.name, organizationName, portalUrl, acceptUrl, expiresAt: invitation.expiresAt, language, timeZone, projects });
    try {
      await this.mailer.send(message);
      return true;
    } catch (error) {
      this.logger.error(`Invitation ${invitation.invitationId} could not be sent: ${(error as Error).message}`);
      return false;
    }
  }

  /** Tells a person its portal access was removed (when staff ask for it). */
  async sendRevocationNotice(organizationId: string, to: { email: string; name: string }): Promise<boolean> {
    const { name } = await this.organizations.get(organizationId);
    const organizationName = name ?? this.config.organizationName;
    try {
      await this.mailer.send({
        to: to.email,
        subject: `Your access to the ${organizationName} client portal was removed`,
        text: `Hello ${to.name},\n\nYour access to the ${organizationName} client portal (${this.config.publicPortalUrl}) was removed.\nIf you think this is a mistake, please contact ${organizationName}.\n`,
        html: `<p>Hello ${escapeHtml(to.name)},</p><p>Your access to the ${escapeHtml(organizationName)} client portal was removed.</p>`,
      });
      return true;
    } catch (error) {
      this.logger.error(`Revocation notice could not be sent: ${(error as Error).message}`);
      return false;
    }
  }
}

/** The decider's answer to accepting now: valid, or the reason it would refuse. */
function invitationStatus(state: Parameters<typeof portalAccess.decide>[1], invitationId: string): InvitationStatus {
  try {
    portalAccess.decide({ type: 'AcceptInvitation', invitationId, now: new Date().toISOString() }, state);
    return 'valid';
  } catch (error) {
    const reason = error instanceof DomainError ? error.details.reason : undefined;
    return INVITATION_STATUSES.includes(reason as InvitationStatus) ? (reason as InvitationStatus) : 'access-not-invited';
  }
}
