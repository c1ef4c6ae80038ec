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
  locale: string;
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
    locale: 'en-GB',
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
    locale: 'ja-JP',
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
    locale: 'pt-BR',
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
    locale: 'fr-FR',
  },
};

/** The languages with a built-in invitation text. */
export const BUILT_IN_INVITATION_LANGUAGES = ['en', 'ja', 'pt-BR', 'fr'] as const;

export function hasBuiltInInvitation(language: string): boolean {
  return language.split('-')[0] in WORDINGS;
}

/** The invitation (and re-sent invitation) email: portal address, username and accept link. */
export function invitationEmail(input: InvitationEmailInput): EmailMessage {
  const words = WORDINGS[(input.language ?? 'en').split('-')[0]] ?? WORDINGS.en;
  const expires = `${new Intl.DateTimeFormat(words.locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(input.expiresAt))} UTC`;
  const text = [
    words.hello(input.contactName),
    '',
    words.invites(input.organizationName),
    '',
    `${words.portal}: ${input.portalUrl}`,
    `${words.username}: ${input.to}`,
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
    `<p>${escapeHtml(words.portal)}: <a href="${escapeHtml(input.portalUrl)}">${escapeHtml(input.portalUrl)}</a><br>${escapeHtml(words.username)}: ${escapeHtml(input.to)}</p>`,
    `<p><a href="${escapeHtml(input.acceptUrl)}">${escapeHtml(words.link)}</a></p>`,
    `<p>${escapeHtml(words.expires(expires))}</p>`,
  ].join('\n');
  return { to: input.to, subject: words.subject(input.organizationName), text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
