import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NewInvitation } from '@app/domain';
import { CredentialStore, hashToken, newToken } from '@app/credentials';
import { escapeHtml, invitationEmail, Mailer } from '@app/notifications';
import { Organizations } from '../organizations/organizations';
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

  /** Sends the invitation email; false (and a log line without the token) if it could not. */
  async send(organizationId: string, invitation: IssuedInvitation, to: { email: string; name: string }): Promise<boolean> {
    const acceptUrl = `${this.config.publicPortalUrl}/accept-invitation?token=${encodeURIComponent(invitation.token)}`;
    const { name: organizationName } = await this.organizations.get(organizationId);
    try {
      await this.mailer.send(
        invitationEmail({
          to: to.email,
          contactName: to.name,
          organizationName: organizationName ?? this.config.organizationName,
          portalUrl: this.config.publicPortalUrl,
          acceptUrl,
          expiresAt: invitation.expiresAt,
        }),
      );
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
