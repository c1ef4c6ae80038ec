import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NewInvitation } from '@app/domain';
import { CredentialStore, hashToken, newToken } from '@app/credentials';
import { invitationEmail, Mailer } from '@app/notifications';
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
  async send(invitation: IssuedInvitation, to: { email: string; name: string }): Promise<boolean> {
    const acceptUrl = `${this.config.publicPortalUrl}/accept-invitation?token=${encodeURIComponent(invitation.token)}`;
    try {
      await this.mailer.send(
        invitationEmail({
          to: to.email,
          contactName: to.name,
          organizationName: this.config.organizationName,
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
}
