import { DomainError } from './errors';

/**
 * Money without floats. Events store integer amounts in the currency's minor unit (cents for
 * BRL/EUR/USD, yen for JPY, fils for BHD), as the currency's digits say (ISO 4217 through
 * ICU: `Intl.NumberFormat(..., {style: 'currency', currency}).resolvedOptions()`); the HTTP
 * edge speaks decimal strings ("1234.50"). Quantities are decimal strings with at most
 * three fraction digits, multiplied exactly (BigInt) and rounded half up to the minor unit.
 */

/** Minor units; a safe integer (|x| < 2^53), never a float. */
export type Minor = number;

const KNOWN_CURRENCIES = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : []);

export function isKnownCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && KNOWN_CURRENCIES.has(code);
}

/** The currency's number of fraction digits (JPY 0, BRL/EUR/USD 2, BHD 3). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An ISO 4217 code this service knows, upper-case; otherwise 422 `unknown-currency`. */
export function requireCurrency(code: string, field = 'currency'): string {
  const upper = typeof code === 'string' ? code.trim().toUpperCase() : '';
  if (!isKnownCurrency(upper)) {
    throw new DomainError('unprocessable', 'unknown-currency', `"${code}" is not an ISO 4217 currency code.`, { errors: [{ field, message: 'an ISO 4217 currency code, e.g. EUR' }] });
  }
  return upper;
}

const DECIMAL = /^(\d{1,15})(?:\.(\d+))?$/;

/**
 * "1234.50" in `currency` -> 123450 minor units. Refuses negatives, more fraction digits than
 * the currency has ("10.5" yen, "1.234" dollars), and amounts beyond a safe integer.
 */
export function parseAmount(text: string, currency: string, field = 'amount'): Minor {
  const digits = currencyDigits(currency);
  const match = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
  const invalid = (message: string) =>
    new DomainError('unprocessable', 'invalid-amount', `${field}: ${message}`, { errors: [{ field, message }] });
  if (!match) throw invalid('a non-negative decimal number as a string, e.g. "1234.50"');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) throw invalid(`${currency} has ${digits} fraction digit${digits === 1 ? '' : 's'}`);
  const minor = BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('too large');
  return Number(minor);
}

/** 123450 minor units of BRL -> "1234.50"; 1200 JPY -> "1200". Sums beyond a safe integer come as a bigint. */
export function formatAmount(minor: Minor | bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0;
  const magnitude = typeof minor === 'bigint' ? (negative ? -minor : minor) : Math.abs(minor);
  const text = String(magnitude).padStart(digits + 1, '0');
  const whole = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return negative ? `-${whole}` : whole;
}

export const QUANTITY_DIGITS = 3;
const QUANTITY = /^(\d{1,9})(?:\.(\d{1,3}))?$/;

/** A quantity as a normalized decimal string ("2", "1.5", "0.125"); positive. */
export function parseQuantity(text: string, field = 'quantity'): string {
  const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
  const invalid = (message: string) => new DomainError('unprocessable', 'invalid-quantity', `${field}: ${message}`, { errors: [{ field, message }] });
  if (!match) throw invalid('a positive decimal number as a string with at most 3 fraction digits, e.g. "1.5"');
  const whole = BigInt(match[1]).toString();
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (BigInt(match[1]) === 0n && !fraction) throw invalid('must be greater than zero');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** quantity × unit price, rounded half up to the minor unit. */
export function lineAmount(quantity: string, unitPrice: Minor): Minor {
  const [whole, fraction = ''] = quantity.split('.');
  const scaled = BigInt(whole + fraction.padEnd(QUANTITY_DIGITS, '0'));
  const scale = 10n ** BigInt(QUANTITY_DIGITS);
  const product = scaled * BigInt(unitPrice);
  const amount = (product + scale / 2n) / scale;
  if (amount > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainError('unprocessable', 'invalid-amount', 'A line amount is too large.', { errors: [{ field: 'lines', message: 'too large' }] });
  }
  return Number(amount);
}

export interface DocumentLineInput {
  description: string;
  quantity: string;
  unitPrice: string;
  /** Optional: when given, must equal quantity × unitPrice (rounded half up). */
  amount?: string | null;
}

export interface DocumentAmountsInput {
  currency: string;
  lines: DocumentLineInput[];
  /** Optional: when given, must equal the sum of the line amounts. */
  subtotal?: string | null;
  /** Default 0. */
  tax?: string | null;
  /** Optional: when given, must equal subtotal + tax. */
  total?: string | null;
}

export interface DocumentLine {
  description: string;
  quantity: string;
  unitPrice: Minor;
  amount: Minor;
}

export interface DocumentAmounts {
  currency: string;
  lines: DocumentLine[];
  subtotal: Minor;
  tax: Minor;
  total: Minor;
}

export const MAX_DOCUMENT_LINES = 200;

/**
 * Lines and totals, checked: each line's amount is quantity × unit price (computed when not
 * given), the subtotal is the sum of the lines, the total is subtotal + tax. A given figure
 * that does not add up is refused (422 `amounts-do-not-add-up`), naming the field.
 */
export function computeAmounts(input: DocumentAmountsInput): DocumentAmounts {
  const currency = requireCurrency(input.currency);
  if (!Array.isArray(input.lines) || input.lines.length === 0) {
    throw new DomainError('unprocessable', 'lines-required', 'A document needs at least one line.', { errors: [{ field: 'lines', message: 'at least one line' }] });
  }
  if (input.lines.length > MAX_DOCUMENT_LINES) {
    throw new DomainError('unprocessable', 'too-many-lines', `At most ${MAX_DOCUMENT_LINES} lines.`, { errors: [{ field: 'lines', message: `at most ${MAX_DOCUMENT_LINES}` }] });
  }
  const mismatch = (field: string, expected: Minor) =>
    new DomainError('unprocessable', 'amounts-do-not-add-up', `${field} should be ${formatAmount(expected, currency)}.`, {
      errors: [{ field, message: `should be ${formatAmount(expected, currency)}` }],
    });
  const lines = input.lines.map((line, index) => {
    const description = typeof line.description === 'string' ? line.description.trim() : '';
    if (!description) {
      throw new DomainError('unprocessable', 'description-required', 'Every line needs a description.', { errors: [{ field: `lines.${index}.description`, message: 'required' }] });
    }
    const quantity = parseQuantity(line.quantity, `lines.${index}.quantity`);
    const unitPrice = parseAmount(line.unitPrice, currency, `lines.${index}.unitPrice`);
    const amount = lineAmount(quantity, unitPrice);
    if (line.amount !== undefined && line.amount !== null && parseAmount(line.amount, currency, `lines.${index}.amount`) !== amount) {
      throw mismatch(`lines.${index}.amount`, amount);
    }
    return { description, quantity, unitPrice, amount };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const tax = input.tax === undefined || input.tax === null ? 0 : parseAmount(input.tax, currency, 'tax');
  const total = subtotal + tax;
  if (!Number.isSafeInteger(total)) {
    throw new DomainError('unprocessable', 'invalid-amount', 'The total is too large.', { errors: [{ field: 'total', message: 'too large' }] });
  }
  if (input.subtotal !== undefined && input.subtotal !== null && parseAmount(input.subtotal, currency, 'subtotal') !== subtotal) throw mismatch('subtotal', subtotal);
  if (input.total !== undefined && input.total !== null && parseAmount(input.total, currency, 'total') !== total) throw mismatch('total', total);
  return { currency, lines, subtotal, tax, total };
}
