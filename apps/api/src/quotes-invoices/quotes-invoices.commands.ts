import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  contact,
  contactStream,
  DomainError,
  formatAmount,
  invoice,
  invoiceStream,
  OrganizationState,
  portalUserMaySee,
  quote,
  quoteStream,
} from '@app/domain';
import { CommandExecutor } from '../commands/command-executor';
import { written } from '../commands/written';
import { CommandContext } from '../http/request-context';
import { PortalPrincipal } from '../auth/principal';
import { DeclineQuoteDto, DocumentWritten, PaymentRecorded, RecordPaymentDto, ShareInvoiceDto, ShareQuoteDto, WithdrawQuoteDto } from './quotes-invoices.dto';
import { requireActiveClient } from '../directory/require-active-client';
import { loadOrganization } from '../organizations/organizations';
import { documentProject } from '../projects/document-project';

/**
 * The audience, as the streams tell it: the company exists in the caller's organization and is
 * not archived; a named contact exists and belongs to it (primary or associated).
 */
async function requireAudience(executor: CommandExecutor, context: CommandContext, clientId: string, contactId: string | null): Promise<void> {
  await requireActiveClient(executor, context, clientId);
  if (contactId === null) return;
  const person = (await executor.load(contactStream(contactId), contact, context.organizationId)).state;
  if (!person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  if (!person.clientIds.includes(clientId)) {
    throw new DomainError('unprocessable', 'contact-not-of-client', 'The contact does not belong to this client company.', {
      errors: [{ field: 'contactId', message: 'a contact of the client company' }],
    });
  }
}

/**
 * A portal user acts only on what it may see: its own company's documents, within the
 * organization's visibility setting. Anything else is "not found", exactly like an unknown id.
 */
async function requireVisible(
  executor: CommandExecutor,
  user: PortalPrincipal,
  document: { clientId: string; contactId: string | null } | null,
  notFound: () => DomainError,
): Promise<OrganizationState> {
  const org = await loadOrganization(executor, user.organizationId);
  if (!document || !portalUserMaySee(document, user, org.settings.portalDocumentVisibility)) throw notFound();
  return org;
}

const quoteNotFound = () => new DomainError('not-found', 'quote-not-found', 'No such quote.');
const invoiceNotFound = () => new DomainError('not-found', 'invoice-not-found', 'No such invoice.');

function shareFields(input: ShareQuoteDto | ShareInvoiceDto) {
  return {
    clientId: input.clientId.toLowerCase(),
    contactId: input.contactId ? input.contactId.toLowerCase() : null,
    projectId: input.projectId ? input.projectId.toLowerCase() : null,
    number: input.number,
    title: input.title ?? null,
    issueDate: input.issueDate,
    currency: input.currency,
    lines: input.lines.map((l) => ({ description: l.description, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount ?? null })),
    subtotal: input.subtotal ?? null,
    tax: input.tax ?? null,
    total: input.total ?? null,
    link: input.link,
  };
}

/** Staff share and withdraw; a portal user (or, for payments, staff too) acts on what it may see. */
export class ShareQuote extends Command<DocumentWritten> {
  constructor(readonly context: CommandContext, readonly input: ShareQuoteDto) {
    super();
  }
}

@CommandHandler(ShareQuote)
export class ShareQuoteHandler implements ICommandHandler<ShareQuote> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input }: ShareQuote): Promise<DocumentWritten> {
    const fields = shareFields(input);
    await requireAudience(this.executor, context, fields.clientId, fields.contactId);
    const project = await documentProject(this.executor, context.organizationId, fields.projectId);
    const quoteId = randomUUID();
    const executed = await this.executor.execute({
      streamName: quoteStream(quoteId),
      decider: quote,
      command: { type: 'ShareQuote', quoteId, validUntil: input.validUntil, ...fields, project },
      context,
    });
    return { ...written(quoteId, executed), status: executed.state.status };
  }
}

export class WithdrawQuote extends Command<DocumentWritten> {
  constructor(readonly context: CommandContext, readonly quoteId: string, readonly input: WithdrawQuoteDto) {
    super();
  }
}

@CommandHandler(WithdrawQuote)
export class WithdrawQuoteHandler implements ICommandHandler<WithdrawQuote> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, quoteId, input }: WithdrawQuote): Promise<DocumentWritten> {
    const executed = await this.executor.execute({
      streamName: quoteStream(quoteId),
      decider: quote,
      command: { type: 'WithdrawQuote', reason: input.reason ?? null },
      context,
    });
    return { ...written(quoteId, executed), status: executed.state.status };
  }
}

export class AcceptQuote extends Command<DocumentWritten> {
  constructor(readonly context: CommandContext, readonly user: PortalPrincipal, readonly quoteId: string) {
    super();
  }
}

@CommandHandler(AcceptQuote)
export class AcceptQuoteHandler implements ICommandHandler<AcceptQuote> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, user, quoteId }: AcceptQuote): Promise<DocumentWritten> {
    const current = await this.executor.load(quoteStream(quoteId), quote, context.organizationId);
    const org = await requireVisible(this.executor, user, current.state.quote, quoteNotFound);
    const executed = await this.executor.execute({
      streamName: quoteStream(quoteId),
      decider: quote,
      command: { type: 'AcceptQuote', contactId: user.contactId, now: new Date().toISOString(), timeZone: org.timeZone },
      context,
    });
    return { ...written(quoteId, executed), status: executed.state.status };
  }
}

export class DeclineQuote extends Command<DocumentWritten> {
  constructor(readonly context: CommandContext, readonly user: PortalPrincipal, readonly quoteId: string, readonly input: DeclineQuoteDto) {
    super();
  }
}

@CommandHandler(DeclineQuote)
export class DeclineQuoteHandler implements ICommandHandler<DeclineQuote> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, user, quoteId, input }: DeclineQuote): Promise<DocumentWritten> {
    const current = await this.executor.load(quoteStream(quoteId), quote, context.organizationId);
    await requireVisible(this.executor, user, current.state.quote, quoteNotFound);
    const executed = await this.executor.execute({
      streamName: quoteStream(quoteId),
      decider: quote,
      command: { type: 'DeclineQuote', contactId: user.contactId, reason: input.reason },
      context,
    });
    return { ...written(quoteId, executed), status: executed.state.status };
  }
}

export class ShareInvoice extends Command<DocumentWritten> {
  constructor(readonly context: CommandContext, readonly input: ShareInvoiceDto) {
    super();
  }
}

@CommandHandler(ShareInvoice)
export class ShareInvoiceHandler implements ICommandHandler<ShareInvoice> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, input }: ShareInvoice): Promise<DocumentWritten> {
    const fields = shareFields(input);
    await requireAudience(this.executor, context, fields.clientId, fields.contactId);
    const project = await documentProject(this.executor, context.organizationId, fields.projectId);
    const invoiceId = randomUUID();
    const executed = await this.executor.execute({
      streamName: invoiceStream(invoiceId),
      decider: invoice,
      command: { type: 'ShareInvoice', invoiceId, dueDate: input.dueDate, ...fields, project },
      context,
    });
    return { ...written(invoiceId, executed), status: executed.state.status };
  }
}

/** `user` null: staff record it (channel api). */
export class RecordInvoicePayment extends Command<PaymentRecorded> {
  constructor(readonly context: CommandContext, readonly user: PortalPrincipal | null, readonly invoiceId: string, readonly input: RecordPaymentDto) {
    super();
  }
}

@CommandHandler(RecordInvoicePayment)
export class RecordInvoicePaymentHandler implements ICommandHandler<RecordInvoicePayment> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, user, invoiceId, input }: RecordInvoicePayment): Promise<PaymentRecorded> {
    const current = await this.executor.load(invoiceStream(invoiceId), invoice, context.organizationId);
    if (!current.state.invoice) throw invoiceNotFound();
    const org = user ? await requireVisible(this.executor, user, current.state.invoice, invoiceNotFound) : await loadOrganization(this.executor, context.organizationId);
    const paymentId = randomUUID();
    const { position, state } = await this.executor.execute({
      streamName: invoiceStream(invoiceId),
      decider: invoice,
      command: {
        type: 'RecordInvoicePayment',
        paymentId,
        amount: input.amount,
        method: input.method,
        reference: input.reference,
        paidAt: input.paidAt ?? null,
        contactId: user ? user.contactId : null,
        now: new Date().toISOString(),
        timeZone: org.timeZone,
      },
      context,
    });
    const shared = state.invoice!;
    return {
      id: invoiceId,
      paymentId,
      position: Number(position),
      status: state.status,
      paid: formatAmount(state.paidTotal, shared.currency),
      balance: formatAmount(shared.total - state.paidTotal, shared.currency),
    };
  }
}

export const QUOTES_INVOICES_COMMAND_HANDLERS = [
  ShareQuoteHandler,
  WithdrawQuoteHandler,
  AcceptQuoteHandler,
  DeclineQuoteHandler,
  ShareInvoiceHandler,
  RecordInvoicePaymentHandler,
];
