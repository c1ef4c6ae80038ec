import { builtInLanguage, emailDateTime } from './dates';
import { escapeHtml } from './invitation-email';
import { EmailMessage } from './mailer';

/** A client action, with the names a person reads instead of ids. */
export interface NotificationEmailInput {
  to: string;
  organizationName: string;
  /** BCP 47; built-in texts in en, ja, pt-BR and fr, English otherwise. */
  language: string | null;
  timeZone: string;
  /** The event type of the client action (QuoteAccepted, CommentAdded, ...). */
  type: string;
  occurredAt: string;
  /** Who acted: the contact's name (or its email), when known. */
  actorName: string | null;
  companyName: string | null;
  document: { kind: string; number: string | null; title: string | null } | null;
  /** Reason, amount, comment excerpt, changed fields. */
  details: Record<string, unknown>;
}

type Language = ReturnType<typeof builtInLanguage>;

const ACTIONS: Record<Language, Record<string, string>> = {
  en: {
    TimesheetSubmitted: 'submitted a timesheet',
    TimesheetResubmitted: 'resubmitted a timesheet',
    TimesheetApproved: 'approved a timesheet',
    TimesheetRejected: 'rejected a timesheet',
    QuoteAccepted: 'accepted a quote',
    QuoteDeclined: 'declined a quote',
    InvoicePaymentRecorded: 'recorded a payment on an invoice',
    CommentAdded: 'commented',
    PortalPreferencesChanged: 'changed their portal preferences',
    ContactUpdated: 'updated their contact details',
    ClientCompanyUpdated: 'updated their company details',
  },
  ja: {
    TimesheetSubmitted: 'タイムシートを提出しました',
    TimesheetResubmitted: 'タイムシートを再提出しました',
    TimesheetApproved: 'タイムシートを承認しました',
    TimesheetRejected: 'タイムシートを差し戻しました',
    QuoteAccepted: '見積を承諾しました',
    QuoteDeclined: '見積を辞退しました',
    InvoicePaymentRecorded: '請求書の支払いを記録しました',
    CommentAdded: 'コメントしました',
    PortalPreferencesChanged: 'ポータルの設定を変更しました',
    ContactUpdated: '連絡先情報を更新しました',
    ClientCompanyUpdated: '会社情報を更新しました',
  },
  pt: {
    TimesheetSubmitted: 'enviou uma folha de horas',
    TimesheetResubmitted: 'reenviou uma folha de horas',
    TimesheetApproved: 'aprovou uma folha de horas',
    TimesheetRejected: 'rejeitou uma folha de horas',
    QuoteAccepted: 'aceitou um orçamento',
    QuoteDeclined: 'recusou um orçamento',
    InvoicePaymentRecorded: 'registrou um pagamento de fatura',
    CommentAdded: 'comentou',
    PortalPreferencesChanged: 'alterou suas preferências do portal',
    ContactUpdated: 'atualizou seus dados de contato',
    ClientCompanyUpdated: 'atualizou os dados da empresa',
  },
  fr: {
    TimesheetSubmitted: 'a soumis une feuille de temps',
    TimesheetResubmitted: 'a soumis à nouveau une feuille de temps',
    TimesheetApproved: 'a approuvé une feuille de temps',
    TimesheetRejected: 'a refusé une feuille de temps',
    QuoteAccepted: 'a accepté un devis',
    QuoteDeclined: 'a décliné un devis',
    InvoicePaymentRecorded: 'a enregistré un paiement de facture',
    CommentAdded: 'a commenté',
    PortalPreferencesChanged: 'a modifié ses préférences du portail',
    ContactUpdated: 'a mis à jour ses coordonnées',
    ClientCompanyUpdated: "a mis à jour les informations de l'entreprise",
  },
};

interface Wording {
  aClient: string;
  subject: (org: string, who: string, what: string) => string;
  lead: (who: string, what: string, org: string) => string;
  when: string;
  document: string;
  company: string;
  contact: string;
  kinds: Record<string, string>;
  details: Record<string, string>;
}

const WORDINGS: Record<Language, Wording> = {
  en: {
    aClient: 'A client',
    subject: (org, who, what) => `[${org}] ${who} ${what}`,
    lead: (who, what, org) => `${who} ${what} in the ${org} client portal.`,
    when: 'When',
    document: 'Document',
    company: 'Company',
    contact: 'Contact',
    kinds: { quote: 'Quote', invoice: 'Invoice', timesheet: 'Timesheet', shift: 'Shift' },
    details: { reason: 'Reason', amount: 'Amount', method: 'Method', reference: 'Reference', text: 'Comment', changed: 'Changed', totalMinutes: 'Minutes' },
  },
  ja: {
    aClient: 'クライアント',
    subject: (org, who, what) => `[${org}] ${who}が${what}`,
    lead: (who, what, org) => `${org} のクライアントポータルで、${who}が${what}。`,
    when: '日時',
    document: '書類',
    company: '会社',
    contact: '担当者',
    kinds: { quote: '見積', invoice: '請求書', timesheet: 'タイムシート', shift: 'シフト' },
    details: { reason: '理由', amount: '金額', method: '方法', reference: '参照', text: 'コメント', changed: '変更', totalMinutes: '分' },
  },
  pt: {
    aClient: 'Um cliente',
    subject: (org, who, what) => `[${org}] ${who} ${what}`,
    lead: (who, what, org) => `${who} ${what} no portal do cliente ${org}.`,
    when: 'Quando',
    document: 'Documento',
    company: 'Empresa',
    contact: 'Contato',
    kinds: { quote: 'Orçamento', invoice: 'Fatura', timesheet: 'Folha de horas', shift: 'Turno' },
    details: { reason: 'Motivo', amount: 'Valor', method: 'Forma', reference: 'Referência', text: 'Comentário', changed: 'Alterado', totalMinutes: 'Minutos' },
  },
  fr: {
    aClient: 'Un client',
    subject: (org, who, what) => `[${org}] ${who} ${what}`,
    lead: (who, what, org) => `${who} ${what} sur le portail client ${org}.`,
    when: 'Quand',
    document: 'Document',
    company: 'Entreprise',
    contact: 'Contact',
    kinds: { quote: 'Devis', invoice: 'Facture', timesheet: 'Feuille de temps', shift: 'Poste' },
    details: { reason: 'Motif', amount: 'Montant', method: 'Moyen', reference: 'Référence', text: 'Commentaire', changed: 'Modifié', totalMinutes: 'Minutes' },
  },
};

/**
 * The email to staff about a client action: who did what to which document of which company,
 * by name and number (never an id), when, in the organization's language and time zone.
 */
export function notificationEmail(input: NotificationEmailInput): EmailMessage {
  const language = builtInLanguage(input.language);
  const words = WORDINGS[language];
  const what = ACTIONS[language][input.type] ?? ACTIONS.en[input.type] ?? input.type;
  const who = input.actorName ?? words.aClient;
  const document = input.document
    ? [words.kinds[input.document.kind] ?? input.document.kind, input.document.number, input.document.title && input.document.title !== input.document.number ? `“${input.document.title}”` : null]
        .filter(Boolean)
        .join(' ')
    : null;
  const fields: [string, string][] = [
    [words.when, emailDateTime(input.occurredAt, input.language, input.timeZone)],
    ...(document ? ([[words.document, document]] as [string, string][]) : []),
    ...(input.companyName ? ([[words.company, input.companyName]] as [string, string][]) : []),
    ...(input.actorName ? ([[words.contact, input.actorName]] as [string, string][]) : []),
    ...Object.entries(input.details).map(([key, value]): [string, string] => [words.details[key] ?? key, Array.isArray(value) ? value.join(', ') : String(value)]),
  ];
  const lead = words.lead(who, what, input.organizationName);
  const text = [lead, '', ...fields.map(([label, value]) => `${label}: ${value}`), ''].join('\n');
  const html = [`<p>${escapeHtml(lead)}</p>`, '<p>', ...fields.map(([label, value]) => `${escapeHtml(label)}: ${escapeHtml(value)}<br>`), '</p>'].join('\n');
  return { to: input.to, subject: words.subject(input.organizationName, who, what), text, html };
}
