import { Inject, Injectable } from '@nestjs/common';
import {
  DocumentLine,
  DomainError,
  fold,
  formatAmount,
  invoice,
  InvoiceEvent,
  invoiceStream,
  isInvoiceOverdue,
  isQuoteExpired,
  OrganizationState,
  portalUserMaySee,
  quote,
  QuoteEvent,
  quoteStream,
} from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { audienceOf, CLIENT_DOCUMENTS_COLLECTION, ClientDocumentRow, ClientDocumentRowOf, InvoiceRow, isDocumentOfKind, isEventOf, QuoteRow, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { findSelectedPage, Page } from '../http/pagination';
import { PortalPrincipal } from '../auth/principal';
import { PortalPermissions } from '../auth/portal-permissions';
import { loadOrganization } from '../organizations/organizations';
import { DocumentLineView, InvoiceSummaryView, InvoiceView, QuoteDecisionView, QuoteSummaryView, QuoteView } from './quotes-invoices.dto';

const DEFAULT_LIMIT = 50;

export interface ListFilter {
  clientId?: string;
  status?: string;
  cursor?: string;
  limit?: number;
}

const QUOTE_DECISIONS = ['QuoteAccepted', 'QuoteDeclined', 'QuoteWithdrawn'] as const;
const PAYMENTS = ['InvoicePaymentRecorded'] as const;

/**
 * Quotes and invoices as staff and portal users read them. Lists come from the shared
 * per-client document list (client_documents_v2); one document is read from its own stream,
 * so it always shows its lines, payments and latest state. Whether a quote has expired or an
 * invoice is overdue depends on the clock and the organization's time zone: computed here.
 */
@Injectable()
export class QuotesInvoicesQueries {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly executor: CommandExecutor,
    private readonly permissions: PortalPermissions,
  ) {}

  async listQuotes(organizationId: string, filter: ListFilter, user: PortalPrincipal | null): Promise<Page<QuoteSummaryView>> {
    const org = await loadOrganization(this.executor, organizationId);
    const now = new Date();
    return this.list('quote', organizationId, filter, user, org, (doc) => quoteSummary(doc, org, now));
  }

  async listInvoices(organizationId: string, filter: ListFilter, user: PortalPrincipal | null): Promise<Page<InvoiceSummaryView>> {
    const org = await loadOrganization(this.executor, organizationId);
    const now = new Date();
    return this.list('invoice', organizationId, filter, user, org, (doc) => invoiceSummary(doc, org, now));
  }

  async getQuote(organizationId: string, quoteId: string, user: PortalPrincipal | null): Promise<QuoteView> {
    const notFound = () => new DomainError('not-found', 'quote-not-found', 'No such quote.');
    const stored = await this.stream(quoteStream(quoteId), organizationId);
    const state = fold(quote, stored.map((e) => ({ type: e.type, data: e.data }) as unknown as QuoteEvent));
    const shared = state.quote;
    if (!shared) throw notFound();
    const org = await loadOrganization(this.executor, organizationId);
    if (user && !portalUserMaySee(shared, user, org.settings.portalDocumentVisibility)) throw notFound();
    const last = stored[stored.length - 1];
    // The decision event itself: a later administrative event (a move) is not the decision.
    const decided = state.status !== 'pending' ? ([...stored].reverse().find((e) => isEventOf(e, QUOTE_DECISIONS)) ?? null) : null;
    const decision: QuoteDecisionView | null = decided
      ? {
          status: state.status,
          at: decided.metadata.occurredAt,
          contactId: decided.type === 'QuoteWithdrawn' ? null : (decided.data.contactId ?? null),
          reason: decided.type === 'QuoteAccepted' ? null : (decided.data.reason ?? null),
        }
      : null;
    const money = (minor: number) => formatAmount(minor, shared.currency);
    return {
      id: shared.quoteId,
      clientId: shared.clientId,
      contactId: shared.contactId,
      projectId: shared.projectId,
      number: shared.number,
      title: shared.title,
      issueDate: shared.issueDate,
      validUntil: shared.validUntil,
      currency: shared.currency,
      subtotal: money(shared.subtotal),
      tax: money(shared.tax),
      total: money(shared.total),
      link: shared.link,
      status: state.status,
      pending: state.status === 'pending',
      expired: state.status === 'pending' && isQuoteExpired(shared.validUntil, new Date(), org.timeZone),
      decision,
      lines: shared.lines.map((line) => lineView(line, shared.currency)),
      createdAt: stored[0].metadata.occurredAt,
      updatedAt: last.metadata.occurredAt,
    };
  }

  async getInvoice(organizationId: string, invoiceId: string, user: PortalPrincipal | null): Promise<InvoiceView> {
    const notFound = () => new DomainError('not-found', 'invoice-not-found', 'No such invoice.');
    const stored = await this.stream(invoiceStream(invoiceId), organizationId);
    const state = fold(invoice, stored.map((e) => ({ type: e.type, data: e.data }) as unknown as InvoiceEvent));
    const shared = state.invoice;
    if (!shared) throw notFound();
    const org = await loadOrganization(this.executor, organizationId);
    if (user && !portalUserMaySee(shared, user, org.settings.portalDocumentVisibility)) throw notFound();
    const money = (minor: number) => formatAmount(minor, shared.currency);
    const recordedAt = new Map(stored.filter((e) => isEventOf(e, PAYMENTS)).map((e) => [e.data.paymentId, e.metadata.occurredAt]));
    const paid = stored.find((e) => e.type === 'InvoicePaid');
    return {
      id: shared.invoiceId,
      clientId: shared.clientId,
      contactId: shared.contactId,
      projectId: shared.projectId,
      number: shared.number,
      title: shared.title,
      issueDate: shared.issueDate,
      dueDate: shared.dueDate,
      currency: shared.currency,
      subtotal: money(shared.subtotal),
      tax: money(shared.tax),
      total: money(shared.total),
      link: shared.link,
      status: state.status,
      pending: state.status === 'open',
      overdue: isInvoiceOverdue({ status: state.status, dueDate: shared.dueDate }, new Date(), org.timeZone),
      paid: money(state.paidTotal),
      balance: money(shared.total - state.paidTotal),
      paidAt: paid ? paid.metadata.occurredAt : null,
      lines: shared.lines.map((line) => lineView(line, shared.currency)),
      payments: state.payments.map((p) => ({
        paymentId: p.paymentId,
        amount: money(p.amount),
        method: p.method,
        reference: p.reference,
        paidAt: p.paidAt,
        contactId: p.contactId,
        recordedAt: recordedAt.get(p.paymentId) ?? p.paidAt,
      })),
      createdAt: stored[0].metadata.occurredAt,
      updatedAt: stored[stored.length - 1].metadata.occurredAt,
    };
  }

  /** A stream of the caller's organization; another organization's reads as empty. */
  private async stream(streamName: string, organizationId: string): Promise<RecordedEvent[]> {
    const { events } = await this.events.readStream(streamName);
    return events.length > 0 && events[0].metadata.organizationId === organizationId ? events : [];
  }

  /**
   * A page of one kind, ordered by id. Staff see the organization's (optionally one
   * company's); a portal user its companies', filtered by the organization's visibility
   * setting, reading on until the page is full.
   */
  private async list<K extends 'quote' | 'invoice', T>(
    kind: K,
    organizationId: string,
    filter: ListFilter,
    user: PortalPrincipal | null,
    org: OrganizationState,
    toItem: (doc: ClientDocumentRowOf<K>) => T,
  ): Promise<Page<T>> {
    const where: Record<string, string> = { organizationId, kind };
    if (filter.status) where.status = filter.status;
    const query = { limit: filter.limit ?? DEFAULT_LIMIT, cursor: filter.cursor };
    if (!user) {
      if (filter.clientId) where.clientId = filter.clientId.toLowerCase();
      return findSelectedPage(this.readStore, CLIENT_DOCUMENTS_COLLECTION, where, query, (doc) => (isDocumentOfKind(doc, kind) ? toItem(doc) : undefined));
    }
    const visibility = org.settings.portalDocumentVisibility;
    const wheres = user.clientIds.map((clientId) => ({ ...where, clientId }));
    // Each row as its document would be judged: its company and visibility, then its project's permissions (or the user type's).
    const judge = this.permissions.judge(user);
    const module = kind === 'quote' ? 'quotes' : 'invoices';
    const visible = async (doc: ClientDocumentRow) => portalUserMaySee(audienceOf(doc), user, visibility) && (await judge(doc.projectId ?? null, module, 'view'));
    return findSelectedPage(this.readStore, CLIENT_DOCUMENTS_COLLECTION, wheres, query, async (doc) => (isDocumentOfKind(doc, kind) && (await visible(doc)) ? toItem(doc) : undefined));
  }
}

function lineView(line: DocumentLine, currency: string): DocumentLineView {
  return { description: line.description, quantity: line.quantity, unitPrice: formatAmount(line.unitPrice, currency), amount: formatAmount(line.amount, currency) };
}

function base(doc: QuoteRow | InvoiceRow) {
  const { summary } = doc;
  return {
    id: doc.id,
    clientId: doc.clientId,
    contactId: doc.contactId ?? null,
    projectId: doc.projectId ?? null,
    number: doc.number,
    title: doc.title,
    issueDate: summary.issueDate,
    currency: summary.currency,
    subtotal: summary.subtotal,
    tax: summary.tax,
    total: summary.total,
    link: summary.link,
    pending: doc.pending === true,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function quoteSummary(doc: QuoteRow, org: OrganizationState, now: Date): QuoteSummaryView {
  const { validUntil } = doc.summary;
  return {
    ...base(doc),
    status: doc.status,
    validUntil,
    expired: doc.status === 'pending' && isQuoteExpired(validUntil, now, org.timeZone),
    decision: doc.decision ?? null,
  };
}

function invoiceSummary(doc: InvoiceRow, org: OrganizationState, now: Date): InvoiceSummaryView {
  const { dueDate } = doc.summary;
  const status = doc.status;
  return {
    ...base(doc),
    status,
    dueDate,
    overdue: isInvoiceOverdue({ status, dueDate }, now, org.timeZone),
    paid: doc.paid,
    balance: doc.balance,
    paidAt: doc.paidAt ?? null,
  };
}
