import { Decider, OfType } from './decider';
import { DocumentHeader, DocumentHeaderInput, isPastEndOfDay, localDate, requireDate, requireHeader } from './document-header';
import { decideDocumentMove, DocumentMovedToClientEvent, documentStream, MoveDocumentToClientCommand } from './documents';
import { DomainError } from './errors';
import { checkInvoiceProject } from './project';
import { computeAmounts, DocumentAmounts, DocumentAmountsInput, formatAmount, Minor, parseAmount } from './money';

/**
 * An invoice shared with a client company (stream `invoice-<id>`). The client (or staff)
 * records payments against it: partial payments add up, the one that reaches the total
 * closes it (`InvoicePaid`), and one that would go beyond the balance is refused whole.
 * Amounts are integer minor units of the invoice's currency. In any status, paid included, an
 * invoice may be moved to another client company (MoveDocumentToClient); its payments stay.
 */
export const invoiceStream = (invoiceId: string) => documentStream('invoice', invoiceId);

export const PAYMENT_METHODS = ['bank-transfer', 'card', 'cash', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export type InvoiceStatus = 'open' | 'paid';

export interface InvoicePayment {
  paymentId: string;
  amount: Minor;
  method: PaymentMethod;
  reference: string;
  /** When the client paid: a date (YYYY-MM-DD) or an instant, as the payer gave it; else when recorded. */
  paidAt: string;
  /** The portal user's contact who recorded it; null when staff did. */
  contactId: string | null;
}

type SharedInvoice = { invoiceId: string; dueDate: string } & DocumentHeader & DocumentAmounts;

export type InvoiceEvent =
  | { type: 'InvoiceShared'; data: SharedInvoice }
  | {
      type: 'InvoicePaymentRecorded';
      data: InvoicePayment & {
        invoiceId: string;
        clientId: string;
        currency: string;
        /** Paid so far, this payment included, and what is left (minor units). */
        paidTotal: Minor;
        balance: Minor;
      };
    }
  | { type: 'InvoicePaid'; data: { invoiceId: string; clientId: string; paidTotal: Minor } }
  | DocumentMovedToClientEvent;

export type InvoiceCommand =
  | ({ type: 'ShareInvoice'; invoiceId: string; dueDate: string } & DocumentHeaderInput & DocumentAmountsInput)
  | {
      type: 'RecordInvoicePayment';
      paymentId: string;
      /** A decimal string in the invoice's currency, e.g. "150.00". */
      amount: string;
      method: string;
      reference: string;
      paidAt?: string | null;
      contactId: string | null;
      now: string;
      /** The organization's: a payment date may not be after today there. */
      timeZone: string;
    }
  | MoveDocumentToClientCommand;

export interface InvoiceState {
  exists: boolean;
  invoice: SharedInvoice | null;
  status: InvoiceStatus;
  paidTotal: Minor;
  payments: InvoicePayment[];
}

const REFERENCE_MAX_LENGTH = 200;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Clocks differ: a payment instant may be this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Is the invoice past its due date (end of that day in the organization's time zone) and not paid? */
export function isInvoiceOverdue(state: { status: InvoiceStatus; dueDate: string }, now: string | Date, timeZone: string): boolean {
  return state.status === 'open' && isPastEndOfDay(state.dueDate, now, timeZone);
}

export const invoice: Decider<InvoiceState, InvoiceCommand, InvoiceEvent> = {
  initialState: () => ({ exists: false, invoice: null, status: 'open', paidTotal: 0, payments: [] }),

  decide(command, state) {
    switch (command.type) {
      case 'ShareInvoice': return shareInvoice(command, state);
      case 'RecordInvoicePayment': return recordInvoicePayment(command, state);
      case 'MoveDocumentToClient': return moveInvoiceToClient(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'InvoiceShared':
        return { ...state, exists: true, invoice: event.data, status: 'open' };
      case 'InvoicePaymentRecorded': {
        const { paymentId, amount, method, reference, paidAt, contactId } = event.data;
        return { ...state, paidTotal: event.data.paidTotal, payments: [...state.payments, { paymentId, amount, method, reference, paidAt, contactId }] };
      }
      case 'InvoicePaid':
        return { ...state, status: 'paid' };
      case 'DocumentMovedToClient':
        return state.invoice ? { ...state, invoice: { ...state.invoice, clientId: event.data.toClientId } } : state;
      default:
        return state;
    }
  },
};

type Command<Type extends InvoiceCommand['type']> = OfType<InvoiceCommand, Type>;

/** ShareInvoice -> InvoiceShared (and InvoicePaid at once when there is nothing to pay) */
function shareInvoice(command: Command<'ShareInvoice'>, state: InvoiceState): InvoiceEvent[] {
  if (state.exists) throw new DomainError('conflict', 'invoice-exists', 'This invoice was already shared.');
  const header = requireHeader(command, (number) => `Invoice ${number}`, checkInvoiceProject);
  const dueDate = requireDate(command.dueDate, 'dueDate');
  if (dueDate < header.issueDate) {
    throw new DomainError('unprocessable', 'invalid-date', 'dueDate cannot be before issueDate.', { errors: [{ field: 'dueDate', message: 'on or after issueDate' }] });
  }
  const amounts = computeAmounts(command);
  const shared: InvoiceEvent = { type: 'InvoiceShared', data: { invoiceId: command.invoiceId, ...header, dueDate, ...amounts } };
  // Nothing to pay: closed from the start.
  return amounts.total === 0 ? [shared, { type: 'InvoicePaid', data: { invoiceId: command.invoiceId, clientId: header.clientId, paidTotal: 0 } }] : [shared];
}

/** RecordInvoicePayment -> InvoicePaymentRecorded (and InvoicePaid when it pays the balance) */
function recordInvoicePayment(command: Command<'RecordInvoicePayment'>, state: InvoiceState): InvoiceEvent[] {
  if (!state.exists || !state.invoice) throw new DomainError('not-found', 'invoice-not-found', 'No such invoice.');
  const shared = state.invoice;
  if (state.status === 'paid') throw new DomainError('conflict', 'invoice-paid', 'This invoice is paid in full; it takes no more payments.', { status: 'paid' });
  const amount = parseAmount(command.amount, shared.currency, 'amount');
  if (amount <= 0) {
    throw new DomainError('unprocessable', 'invalid-amount', 'A payment must be more than zero.', { errors: [{ field: 'amount', message: 'more than zero' }] });
  }
  const method = requireMethod(command.method);
  const reference = requireReference(command.reference);
  const paidAt = requirePaidAt(command.paidAt, command.now, command.timeZone);
  const balance = shared.total - state.paidTotal;
  if (amount > balance) {
    throw new DomainError('unprocessable', 'overpayment', `The payment is more than the balance of ${formatAmount(balance, shared.currency)} ${shared.currency}.`, {
      balance: formatAmount(balance, shared.currency),
      currency: shared.currency,
      errors: [{ field: 'amount', message: `at most ${formatAmount(balance, shared.currency)}` }],
    });
  }
  const paidTotal = state.paidTotal + amount;
  const recorded: InvoiceEvent = {
    type: 'InvoicePaymentRecorded',
    data: {
      invoiceId: shared.invoiceId,
      clientId: shared.clientId,
      paymentId: command.paymentId,
      amount,
      currency: shared.currency,
      method,
      reference,
      paidAt,
      contactId: command.contactId,
      paidTotal,
      balance: shared.total - paidTotal,
    },
  };
  return paidTotal === shared.total ? [recorded, { type: 'InvoicePaid', data: { invoiceId: shared.invoiceId, clientId: shared.clientId, paidTotal } }] : [recorded];
}

/** MoveDocumentToClient -> DocumentMovedToClient */
function moveInvoiceToClient(command: Command<'MoveDocumentToClient'>, state: InvoiceState): InvoiceEvent[] {
  const shared = state.exists && state.invoice ? state.invoice : null;
  return decideDocumentMove('invoice', shared && { documentId: shared.invoiceId, clientId: shared.clientId, contactId: shared.contactId }, command, () => new DomainError('not-found', 'invoice-not-found', 'No such invoice.'));
}

function requireMethod(method: string): PaymentMethod {
  if (!(PAYMENT_METHODS as readonly string[]).includes(method)) {
    throw new DomainError('unprocessable', 'invalid-payment-method', `method is one of ${PAYMENT_METHODS.join(', ')}.`, {
      errors: [{ field: 'method', message: `one of ${PAYMENT_METHODS.join(', ')}` }],
    });
  }
  return method as PaymentMethod;
}

function requireReference(reference: string): string {
  const trimmed = typeof reference === 'string' ? reference.trim() : '';
  if (!trimmed || trimmed.length > REFERENCE_MAX_LENGTH) {
    throw new DomainError('unprocessable', 'invalid-reference', `A payment needs a reference of 1 to ${REFERENCE_MAX_LENGTH} characters.`, {
      errors: [{ field: 'reference', message: `1 to ${REFERENCE_MAX_LENGTH} characters` }],
    });
  }
  return trimmed;
}

/** A date or an instant, not in the future (in the organization's time zone for a date). */
function requirePaidAt(paidAt: string | null | undefined, now: string, timeZone: string): string {
  if (paidAt === undefined || paidAt === null) return now;
  const future = () =>
    new DomainError('unprocessable', 'payment-in-future', 'A payment cannot be dated in the future.', { errors: [{ field: 'paidAt', message: 'not in the future' }] });
  if (/^\d{4}-\d{2}-\d{2}$/.test(paidAt)) {
    requireDate(paidAt, 'paidAt');
    if (paidAt > localDate(now, timeZone)) throw future();
    return paidAt;
  }
  const time = INSTANT.test(paidAt) ? Date.parse(paidAt) : NaN;
  if (Number.isNaN(time)) {
    throw new DomainError('unprocessable', 'invalid-date', 'paidAt is a date (YYYY-MM-DD) or an instant (ISO 8601 with an offset).', {
      errors: [{ field: 'paidAt', message: 'YYYY-MM-DD or an ISO 8601 instant with an offset' }],
    });
  }
  if (time > Date.parse(now) + CLOCK_SKEW_MS) throw future();
  return new Date(time).toISOString();
}
