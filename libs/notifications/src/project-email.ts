import { escapeHtml } from './invitation-email';
import { EmailMessage } from './mailer';

const WORDINGS: Record<string, { subject: (project: string) => string; hello: (name: string) => string; removed: (project: string, org: string) => string; contact: (org: string) => string }> = {
  en: {
    subject: (project) => `You no longer follow the project ${project}`,
    hello: (name) => `Hello ${name},`,
    removed: (project, org) => `${org} removed you from the project ${project} in its client portal.`,
    contact: (org) => `If you think this is a mistake, please contact ${org}.`,
  },
  ja: {
    subject: (project) => `プロジェクト「${project}」への参加が終了しました`,
    hello: (name) => `${name} 様`,
    removed: (project, org) => `${org} のクライアントポータルで、プロジェクト「${project}」からあなたが外されました。`,
    contact: (org) => `お心当たりがない場合は ${org} にお問い合わせください。`,
  },
  pt: {
    subject: (project) => `Você não acompanha mais o projeto ${project}`,
    hello: (name) => `Olá ${name},`,
    removed: (project, org) => `${org} removeu você do projeto ${project} no portal do cliente.`,
    contact: (org) => `Se você acha que isso é um engano, entre em contato com ${org}.`,
  },
  fr: {
    subject: (project) => `Vous ne suivez plus le projet ${project}`,
    hello: (name) => `Bonjour ${name},`,
    removed: (project, org) => `${org} vous a retiré du projet ${project} sur son portail client.`,
    contact: (org) => `Si vous pensez qu'il s'agit d'une erreur, contactez ${org}.`,
  },
};

/** Tells a person it was removed from a project (when staff ask for it), in its language. */
export function projectRemovalEmail(input: { to: string; contactName: string; organizationName: string; projectName: string; language?: string | null }): EmailMessage {
  const words = WORDINGS[(input.language ?? 'en').split('-')[0]] ?? WORDINGS.en;
  const lines = [words.hello(input.contactName), words.removed(input.projectName, input.organizationName), words.contact(input.organizationName)];
  return {
    to: input.to,
    // One line whatever the project's name holds.
    subject: words.subject(input.projectName).replace(/[\r\n]+/g, ' '),
    text: `${lines[0]}\n\n${lines[1]}\n${lines[2]}\n`,
    html: lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n'),
  };
}
