import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NewInvitation } from '@app/domain';
import { CredentialStore, hashToken, newToken } from '@app/credentials';
import { escapeHtml, hasBuiltInInvitation, invitationEmail, Mailer } from '@app/notifications';
import { Organizations } from '../organizations/organizations';
import { Portals, PortalView } from '../portals/portals.service';
import { AppConfig } from '../config';
import { APP_CONFIG } from '../infrastructure/tokens';

export interface IssuedInvitation extends NewInvitation {
  /** The secret: goes into the email only, never into an event, a log or a response. */
  token: string;
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
   * Sends the invitation email in the given language: the portal's own template for it (or
   * its base language, or the portal's default language), else the built-in text. False (and
   * a log line without the token) if it could not be sent.
   */
  async send(
    organizationId: string,
    invitation: IssuedInvitation,
    to: { email: string; name: string },
    portal: PortalView,
    language: string,
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
    const message = custom
      ? { to: to.email, subject: custom.subject, text: custom.text, html: `<p>${escapeHtml(custom.text).replace(/\r?\n/g, '<br>\n')}</p>` }
      : invitationEmail({ to: to.email, contactName: to.name, organizationName, portalUrl, acceptUrl, expiresAt: invitation.expiresAt, language, timeZone });
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
