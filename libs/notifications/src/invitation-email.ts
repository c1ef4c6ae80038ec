import { EmailMessage } from './mailer';

export interface InvitationEmailInput {
  to: string;
  contactName: string;
  organizationName: string;
  portalUrl: string;
  acceptUrl: string;
  expiresAt: string;
}

/** The invitation (and re-sent invitation) email: portal address, username and accept link. */
export function invitationEmail(input: InvitationEmailInput): EmailMessage {
  const expires = new Date(input.expiresAt).toUTCString();
  const text = [
    `Hello ${input.contactName},`,
    '',
    `${input.organizationName} invites you to its client portal.`,
    '',
    `Portal: ${input.portalUrl}`,
    `Username: ${input.to}`,
    '',
    'To accept the invitation and choose your password, open:',
    input.acceptUrl,
    '',
    `This link can be used once and expires on ${expires}.`,
    '',
  ].join('\n');
  const html = [
    `<p>Hello ${escapeHtml(input.contactName)},</p>`,
    `<p>${escapeHtml(input.organizationName)} invites you to its client portal.</p>`,
    `<p>Portal: <a href="${escapeHtml(input.portalUrl)}">${escapeHtml(input.portalUrl)}</a><br>Username: ${escapeHtml(input.to)}</p>`,
    `<p><a href="${escapeHtml(input.acceptUrl)}">Accept the invitation and choose your password</a></p>`,
    `<p>This link can be used once and expires on ${escapeHtml(expires)}.</p>`,
  ].join('\n');
  return { to: input.to, subject: `Your invitation to the ${input.organizationName} client portal`, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
