import { emailDateTime } from './dates';
import { EmailMessage } from './mailer';

export interface InvitationEmailInput {
  to: string;
  contactName: string;
  organizationName: string;
  portalUrl: string;
  acceptUrl: string;
  expiresAt: string;
  /** BCP 47 tag; the built-in texts cover en, ja, pt-BR (and pt) and fr, else English. */
  language?: string;
  /** Where the expiry is told in (the organization's time zone); UTC when omitted. */
  timeZone?: string;
  /** The projects the person is invited into, listed in the email. */
  projects?: readonly string[];
}

interface Wording {
  subject: (org: string) => string;
  hello: (name: string) => string;
  invites: (org: string) => string;
  portal: string;
  username: string;
  open: string;
  link: string;
  expires: (date: string) => string;
  projects: string;
}

/** The built-in invitation in the languages our users' own documents come in. */
const WORDINGS: Record<string, Wording> = {
  en: {
    subject: (org) => `Your invitation to the ${org} client portal`,
    hello: (name) => `Hello ${name},`,
    invites: (org) => `${org} invites you to its client portal.`,
    portal: 'Portal',
    username: 'Username',
    open: 'To accept the invitation and choose your password, open:',
    link: 'Accept the invitation and choose your password',
    expires: (date) => `This link can be used once and expires on ${date}.`,

    projects: 'Projects',
  },
  ja: {
    subject: (org) => `${org} クライアントポータルへのご招待`,
    hello: (name) => `${name} 様`,
    invites: (org) => `${org} のクライアントポータルにご招待いたします。`,
    portal: 'ポータル',
    username: 'ユーザー名',
    open: '招待を承諾してパスワードを設定するには、次のリンクを開いてください:',
    link: '招待を承諾してパスワードを設定する',
    expires: (date) => `このリンクは1回限り有効で、${date} に期限切れとなります。`,

    projects: 'プロジェクト',
  },
  pt: {
    subject: (org) => `Seu convite para o portal do cliente ${org}`,
    hello: (name) => `Olá ${name},`,
    invites: (org) => `${org} convida você para o portal do cliente.`,
    portal: 'Portal',
    username: 'Usuário',
    open: 'Para aceitar o convite e escolher sua senha, abra:',
    link: 'Aceitar o convite e escolher sua senha',
    expires: (date) => `Este link pode ser usado uma vez e expira em ${date}.`,

    projects: 'Projetos',
  },
  fr: {
    subject: (org) => `Votre invitation au portail client ${org}`,
    hello: (name) => `Bonjour ${name},`,
    invites: (org) => `${org} vous invite sur son portail client.`,
    portal: 'Portail',
    username: "Nom d'utilisateur",
    open: "Pour accepter l'invitation et choisir votre mot de passe, ouvrez :",
    link: "Accepter l'invitation et choisir votre mot de passe",
    expires: (date) => `Ce lien ne peut être utilisé qu'une fois et expire le ${date}.`,

    projects: 'Projets',
  },
};

const RESET_WORDINGS: Record<string, { subject: (org: string) => string; asked: (email: string, org: string) => string; open: string; link: string; expires: (date: string) => string; ignore: string }> = {
  en: {
    subject: (org) => `Reset your ${org} client portal password`,
    asked: (email, org) => `Someone asked to reset the password of ${email} on the ${org} client portal.`,
    open: 'To choose a new password, open:',
    link: 'Choose a new password',
    expires: (date) => `The link can be used once and expires on ${date}.`,
    ignore: 'If you did not ask for this, ignore this email.',
  },
  ja: {
    subject: (org) => `${org} クライアントポータルのパスワード再設定`,
    asked: (email, org) => `${org} クライアントポータルで ${email} のパスワード再設定が依頼されました。`,
    open: '新しいパスワードを設定するには、次のリンクを開いてください:',
    link: '新しいパスワードを設定する',
    expires: (date) => `このリンクは1回限り有効で、${date} に期限切れとなります。`,
    ignore: 'お心当たりがない場合は、このメールを無視してください。',
  },
  pt: {
    subject: (org) => `Redefina sua senha do portal do cliente ${org}`,
    asked: (email, org) => `Alguém pediu para redefinir a senha de ${email} no portal do cliente ${org}.`,
    open: 'Para escolher uma nova senha, abra:',
    link: 'Escolher uma nova senha',
    expires: (date) => `O link pode ser usado uma vez e expira em ${date}.`,
    ignore: 'Se você não pediu isso, ignore este e-mail.',
  },
  fr: {
    subject: (org) => `Réinitialisez votre mot de passe du portail client ${org}`,
    asked: (email, org) => `Quelqu'un a demandé à réinitialiser le mot de passe de ${email} sur le portail client ${org}.`,
    open: 'Pour choisir un nouveau mot de passe, ouvrez :',
    link: 'Choisir un nouveau mot de passe',
    expires: (date) => `Le lien ne peut être utilisé qu'une fois et expire le ${date}.`,
    ignore: "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail.",
  },
};

/** The password reset email, in the person's language, the expiry in its time zone. */
export function passwordResetEmail(input: { to: string; organizationName: string; resetUrl: string; expiresAt: string; language?: string | null; timeZone: string }): EmailMessage {
  const words = RESET_WORDINGS[(input.language ?? 'en').split('-')[0]] ?? RESET_WORDINGS.en;
  const expires = words.expires(emailDateTime(input.expiresAt, input.language, input.timeZone));
  const asked = words.asked(input.to, input.organizationName);
  return {
    to: input.to,
    subject: words.subject(input.organizationName),
    text: [asked, '', words.open, input.resetUrl, '', expires, words.ignore, ''].join('\n'),
    html: [`<p>${escapeHtml(asked)}</p>`, `<p><a href="${escapeHtml(input.resetUrl)}">${escapeHtml(words.link)}</a></p>`, `<p>${escapeHtml(expires)}<br>${escapeHtml(words.ignore)}</p>`].join('\n'),
  };
}

/** The languages with a built-in invitation text. */
export const BUILT_IN_INVITATION_LANGUAGES = ['en', 'ja', 'pt-BR', 'fr'] as const;

export function hasBuiltInInvitation(language: string): boolean {
  return language.split('-')[0] in WORDINGS;
}

/** The invitation (and re-sent invitation) email: portal address, username and accept link. */
export function invitationEmail(input: InvitationEmailInput): EmailMessage {
  const words = WORDINGS[(input.language ?? 'en').split('-')[0]] ?? WORDINGS.en;
  const expires = emailDateTime(input.expiresAt, input.language, input.timeZone ?? 'UTC');
  const text = [
    words.hello(input.contactName),
    '',
    words.invites(input.organizationName),
    '',
    `${words.portal}: ${input.portalUrl}`,
    `${words.username}: ${input.to}`,
    ...(input.projects?.length ? [`${words.projects}: ${input.projects.join(', ')}`] : []),
    '',
    words.open,
    input.acceptUrl,
    '',
    words.expires(expires),
    '',
  ].join('\n');
  const html = [
    `<p>${escapeHtml(words.hello(input.contactName))}</p>`,
    `<p>${escapeHtml(words.invites(input.organizationName))}</p>`,
    `<p>${escapeHtml(words.portal)}: <a href="${escapeHtml(input.portalUrl)}">${escapeHtml(input.portalUrl)}</a><br>${escapeHtml(words.username)}: ${escapeHtml(input.to)}${
      input.projects?.length ? `<br>${escapeHtml(words.projects)}: ${escapeHtml(input.projects.join(', '))}` : ''
    }</p>`,
    `<p><a href="${escapeHtml(input.acceptUrl)}">${escapeHtml(words.link)}</a></p>`,
    `<p>${escapeHtml(words.expires(expires))}</p>`,
  ].join('\n');
  return { to: input.to, subject: words.subject(input.organizationName), text, html };
}

/** "Projects: A, B" in the email's language: appended to a portal's own invitation template. */
export function projectsLine(language: string | undefined, projects: readonly string[]): string {
  const words = WORDINGS[(language ?? 'en').split('-')[0]] ?? WORDINGS.en;
  return `${words.projects}: ${projects.join(', ')}`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
