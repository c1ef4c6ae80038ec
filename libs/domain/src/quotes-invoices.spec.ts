import { deciderSpec } from './testing/decider-spec';
import { computeAmounts, currencyDigits, formatAmount, lineAmount, parseAmount, parseQuantity, requireCurrency } from './money';
import { isQuoteExpired, quote, QuoteCommand, QuoteEvent } from './quote';
import { invoice, InvoiceCommand, InvoiceEvent, isInvoiceOverdue } from './invoice';
import { localDate } from './document-header';
import { DomainError } from './errors';

const thrown = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
};

describe('money', () => {
  it('knows each currency’s minor unit: JPY 0, BRL/EUR/USD 2, BHD 3', () => {
    expect([currencyDigits('JPY'), currencyDigits('BRL'), currencyDigits('EUR'), currencyDigits('USD'), currencyDigits('BHD')]).toEqual([0, 2, 2, 2, 3]);
  });

  it('parses decimal strings into integer minor units, and formats them back', () => {
    expect(parseAmount('1234.50', 'BRL')).toBe(123450);
    expect(parseAmount('1234.5', 'EUR')).toBe(123450);
    expect(parseAmount('0.01', 'USD')).toBe(1);
    expect(parseAmount('1200', 'JPY')).toBe(1200);
    expect(parseAmount('1200.00', 'JPY')).toBe(1200);
    expect(parseAmount('1.234', 'BHD')).toBe(1234);
    expect(formatAmount(123450, 'BRL')).toBe('1234.50');
    expect(formatAmount(5, 'USD')).toBe('0.05');
    expect(formatAmount(1200, 'JPY')).toBe('1200');
    expect(formatAmount(1234, 'BHD')).toBe('1.234');
    // Floats would say 0.30000000000000004.
    expect(formatAmount(parseAmount('0.1', 'EUR') + parseAmount('0.2', 'EUR'), 'EUR')).toBe('0.30');
  });

  it('refuses negatives, more digits than the currency has, non-numbers and unsafe sizes', () => {
    for (const [text, currency] of [['-1.00', 'EUR'], ['10.5', 'JPY'], ['1.234', 'USD'], ['1e3', 'EUR'], ['', 'EUR'], ['12,50', 'EUR'], ['999999999999999.99', 'EUR']]) {
      expect(thrown(() => parseAmount(text, currency)).code).toBe('invalid-amount');
    }
  });

  it('knows ISO 4217 codes only', () => {
    expect(requireCurrency('eur')).toBe('EUR');
    for (const bad of ['EURO', 'XYZ', 'US', '']) expect(thrown(() => requireCurrency(bad)).code).toBe('unknown-currency');
  });

  it('multiplies quantities exactly and rounds half up to the minor unit', () => {
    expect(parseQuantity('1.500')).toBe('1.5');
    expect(parseQuantity('007')).toBe('7');
    expect(lineAmount('1.5', 3333)).toBe(5000); // 4999.5 -> 5000
    expect(lineAmount('0.333', 100)).toBe(33); // 33.3
    expect(lineAmount('3', 1999)).toBe(5997);
    for (const bad of ['0', '-1', '1.2345', 'two']) expect(thrown(() => parseQuantity(bad)).code).toBe('invalid-quantity');
  });

  it('computes line amounts, subtotal and total, and checks the figures the caller gives', () => {
    const lines = [
      { description: 'Consulting', quantity: '10', unitPrice: '120.00' },
      { description: 'Travel', quantity: '1', unitPrice: '80.50', amount: '80.50' },
    ];
    expect(computeAmounts({ currency: 'EUR', lines, tax: '258.52' })).toEqual({
      currency: 'EUR',
      lines: [
        { description: 'Consulting', quantity: '10', unitPrice: 12000, amount: 120000 },
        { description: 'Travel', quantity: '1', unitPrice: 8050, amount: 8050 },
      ],
      subtotal: 128050,
      tax: 25852,
      total: 153902,
    });
    expect(computeAmounts({ currency: 'EUR', lines, subtotal: '1280.50', tax: '258.52', total: '1539.02' }).total).toBe(153902);
    const wrongLine = thrown(() => computeAmounts({ currency: 'EUR', lines: [{ ...lines[1], amount: '80.00' }] }));
    expect(wrongLine.code).toBe('amounts-do-not-add-up');
    expect(wrongLine.details).toMatchObject({ errors: [{ field: 'lines.0.amount', message: 'should be 80.50' }] });
    expect(thrown(() => computeAmounts({ currency: 'EUR', lines, subtotal: '1280.00' })).details).toMatchObject({ errors: [{ field: 'subtotal' }] });
    expect(thrown(() => computeAmounts({ currency: 'EUR', lines, total: '1280.51' })).details).toMatchObject({ errors: [{ field: 'total' }] });
    expect(thrown(() => computeAmounts({ currency: 'EUR', lines: [] })).code).toBe('lines-required');
    expect(thrown(() => computeAmounts({ currency: 'EUR', lines: [{ description: ' ', quantity: '1', unitPrice: '1' }] })).code).toBe('description-required');
    expect(thrown(() => computeAmounts({ currency: 'JPY', lines: [{ description: 'x', quantity: '1', unitPrice: '100.5' }] })).code).toBe('invalid-amount');
  });
});

const CLIENT = 'c1';
const ANA = 'contact-ana';

describe('quote', () => {
  const spec = deciderSpec(quote);
  const share: QuoteCommand = {
    type: 'ShareQuote',
    quoteId: 'q1',
    clientId: CLIENT,
    contactId: null,
    number: 'Q-2026-001',
    issueDate: '2026-03-01',
    validUntil: '2026-03-31',
    currency: 'BRL',
    lines: [{ description: 'Temporary staff, March', quantity: '160', unitPrice: '45.50' }],
    tax: '728.00',
    link: 'https://erp.example/quotes/Q-2026-001',
  };
  const shared: QuoteEvent = {
    type: 'QuoteShared',
    data: {
      quoteId: 'q1',
      clientId: CLIENT,
      contactId: null,
      projectId: null,
      number: 'Q-2026-001',
      title: 'Quote Q-2026-001',
      issueDate: '2026-03-01',
      validUntil: '2026-03-31',
      link: 'https://erp.example/quotes/Q-2026-001',
      currency: 'BRL',
      lines: [{ description: 'Temporary staff, March', quantity: '160', unitPrice: 4550, amount: 728000 }],
      subtotal: 728000,
      tax: 72800,
      total: 800800,
    },
  };

  it('is shared with its lines and totals in minor units', () => {
    spec.given([]).when(share).then([shared]);
  });

  it('refuses to be shared twice, a bad link, a bad currency, or a validity before the issue date', () => {
    spec.given([shared]).when(share).thenThrows('quote-exists');
    spec.given([]).when({ ...share, link: 'http://erp.example/q' }).thenThrows('invalid-link');
    spec.given([]).when({ ...share, link: 'javascript:alert(1)' }).thenThrows('invalid-link');
    spec.given([]).when({ ...share, currency: 'BRR' }).thenThrows('unknown-currency');
    spec.given([]).when({ ...share, validUntil: '2026-02-28' }).thenThrows('invalid-date');
    spec.given([]).when({ ...share, issueDate: '2026-02-30' }).thenThrows('invalid-date');
    spec.given([]).when({ ...share, number: '  ' }).thenThrows('number-required');
  });

  it('is accepted by the client until the end of its last day, in the organization’s time zone', () => {
    const accepted: QuoteEvent = { type: 'QuoteAccepted', data: { quoteId: 'q1', clientId: CLIENT, contactId: ANA } };
    // 23:30 on the 31st in São Paulo is already April 1st in UTC: still valid there.
    spec.given([shared]).when({ type: 'AcceptQuote', contactId: ANA, now: '2026-04-01T02:30:00Z', timeZone: 'America/Sao_Paulo' }).then([accepted]);
    // ...and the same instant in Tokyo is April 1st, 11:30: expired.
    spec
      .given([shared])
      .when({ type: 'AcceptQuote', contactId: ANA, now: '2026-04-01T02:30:00Z', timeZone: 'Asia/Tokyo' })
      .thenThrows('quote-expired', { validUntil: '2026-03-31', timeZone: 'Asia/Tokyo' });
    // One minute after local midnight in São Paulo (03:00 UTC).
    spec.given([shared]).when({ type: 'AcceptQuote', contactId: ANA, now: '2026-04-01T03:01:00Z', timeZone: 'America/Sao_Paulo' }).thenThrows('quote-expired');
    expect(isQuoteExpired('2026-03-31', '2026-03-31T14:59:59Z', 'Asia/Tokyo')).toBe(false);
    expect(isQuoteExpired('2026-03-31', '2026-03-31T15:00:00Z', 'Asia/Tokyo')).toBe(true);
    expect(localDate('2026-03-31T15:00:00Z', 'Asia/Tokyo')).toBe('2026-04-01');
  });

  it('is declined with a reason, which is required', () => {
    spec
      .given([shared])
      .when({ type: 'DeclineQuote', contactId: ANA, reason: '  Too expensive  ' })
      .then([{ type: 'QuoteDeclined', data: { quoteId: 'q1', clientId: CLIENT, contactId: ANA, reason: 'Too expensive' } }]);
    spec.given([shared]).when({ type: 'DeclineQuote', contactId: ANA, reason: '   ' }).thenThrows('reason-required');
    spec.given([shared]).when({ type: 'DeclineQuote', contactId: ANA, reason: 'x'.repeat(1001) }).thenThrows('reason-too-long');
  });

  it('keeps a decision final: an accepted or declined quote takes no other decision', () => {
    const now = { now: '2026-03-02T00:00:00Z', timeZone: 'UTC' };
    const accepted: QuoteEvent = { type: 'QuoteAccepted', data: { quoteId: 'q1', clientId: CLIENT, contactId: ANA } };
    const declined: QuoteEvent = { type: 'QuoteDeclined', data: { quoteId: 'q1', clientId: CLIENT, contactId: ANA, reason: 'no' } };
    spec.given([shared, accepted]).when({ type: 'AcceptQuote', contactId: ANA, ...now }).thenThrows('quote-decided', { status: 'accepted' });
    spec.given([shared, accepted]).when({ type: 'DeclineQuote', contactId: ANA, reason: 'changed my mind' }).thenThrows('quote-decided');
    spec.given([shared, declined]).when({ type: 'AcceptQuote', contactId: ANA, ...now }).thenThrows('quote-decided', { status: 'declined' });
    spec.given([shared, accepted]).when({ type: 'WithdrawQuote' }).thenThrows('quote-decided');
  });

  it('may be withdrawn by staff while pending; then it takes no decision', () => {
    const withdrawn: QuoteEvent = { type: 'QuoteWithdrawn', data: { quoteId: 'q1', clientId: CLIENT, reason: 'prices changed' } };
    spec.given([shared]).when({ type: 'WithdrawQuote', reason: 'prices changed' }).then([withdrawn]);
    spec.given([shared, withdrawn]).when({ type: 'AcceptQuote', contactId: ANA, now: '2026-03-02T00:00:00Z', timeZone: 'UTC' }).thenThrows('quote-withdrawn');
  });

  it('answers not found for a quote never shared', () => {
    spec.given([]).when({ type: 'AcceptQuote', contactId: ANA, now: '2026-03-02T00:00:00Z', timeZone: 'UTC' }).thenThrows('quote-not-found');
  });

  describe('MoveDocumentToClient (an administrative re-filing, allowed in every status)', () => {
    const addressed: QuoteEvent = { type: 'QuoteShared', data: { ...(shared.data as Extract<QuoteEvent, { type: 'QuoteShared' }>['data']), contactId: ANA } };
    const move: QuoteCommand = { type: 'MoveDocumentToClient', toClientId: 'c2', reason: 'contact-dissociated' };
    const moved: QuoteEvent = {
      type: 'DocumentMovedToClient',
      data: { documentId: 'q1', kind: 'quote', fromClientId: CLIENT, toClientId: 'c2', contactId: ANA, reason: 'contact-dissociated' },
    };
    const accepted: QuoteEvent = { type: 'QuoteAccepted', data: { quoteId: 'q1', clientId: CLIENT, contactId: ANA } };
    const withdrawn: QuoteEvent = { type: 'QuoteWithdrawn', data: { quoteId: 'q1', clientId: CLIENT, reason: null } };

    it('given a pending quote addressed to a contact, when moved, then it is moved; accepting it afterwards names the new company', () => {
      spec.given([addressed]).when(move).then([moved]);
      spec
        .given([addressed, moved])
        .when({ type: 'AcceptQuote', contactId: ANA, now: '2026-03-02T00:00:00Z', timeZone: 'UTC' })
        .then([{ type: 'QuoteAccepted', data: { quoteId: 'q1', clientId: 'c2', contactId: ANA } }]);
    });

    it('given an accepted or withdrawn (final) quote, when moved, then it is moved and its decision stays', () => {
      spec.given([addressed, accepted]).when(move).then([moved]);
      spec.given([addressed, withdrawn]).when(move).then([moved]);
      const state = [addressed, accepted, moved].reduce(quote.evolve, quote.initialState());
      expect(state).toMatchObject({ status: 'accepted', quote: { clientId: 'c2', contactId: ANA, total: 800800 } });
      spec.given([addressed, accepted, moved]).when({ type: 'DeclineQuote', contactId: ANA, reason: 'no' }).thenThrows('quote-decided');
    });

    it('given a quote already with that company, when moved there, then nothing is written', () => {
      spec.given([addressed]).when({ ...move, toClientId: CLIENT }).then([]);
      spec.given([addressed, moved]).when(move).then([]);
    });

    it('given no quote, when moved, then not found', () => spec.given([]).when(move).thenThrows('quote-not-found'));
  });
});

describe('invoice', () => {
  const spec = deciderSpec(invoice);
  const share: InvoiceCommand = {
    type: 'ShareInvoice',
    invoiceId: 'i1',
    clientId: CLIENT,
    contactId: ANA,
    projectId: 'p1',
    // The project as its stream tells it: the invoice's company is its primary client.
    project: { projectId: 'p1', exists: true, archived: false, clientIds: [CLIENT], primaryClientId: CLIENT },
    number: 'INV-7',
    title: 'March staffing',
    issueDate: '2026-03-31',
    dueDate: '2026-04-30',
    currency: 'JPY',
    lines: [
      { description: 'Warehouse staff', quantity: '100', unitPrice: '1500' },
      { description: 'Night premium', quantity: '20', unitPrice: '375' },
    ],
    tax: '15750',
    total: '173250',
    link: 'https://erp.example/invoices/INV-7',
  };
  const shared: InvoiceEvent = {
    type: 'InvoiceShared',
    data: {
      invoiceId: 'i1',
      clientId: CLIENT,
      contactId: ANA,
      projectId: 'p1',
      number: 'INV-7',
      title: 'March staffing',
      issueDate: '2026-03-31',
      dueDate: '2026-04-30',
      link: 'https://erp.example/invoices/INV-7',
      currency: 'JPY',
      lines: [
        { description: 'Warehouse staff', quantity: '100', unitPrice: 1500, amount: 150000 },
        { description: 'Night premium', quantity: '20', unitPrice: 375, amount: 7500 },
      ],
      subtotal: 157500,
      tax: 15750,
      total: 173250,
    },
  };
  const pay = (amount: string, extra: Partial<Extract<InvoiceCommand, { type: 'RecordInvoicePayment' }>> = {}): InvoiceCommand => ({
    type: 'RecordInvoicePayment',
    paymentId: `pay-${amount}`,
    amount,
    method: 'bank-transfer',
    reference: 'MUFG 0042',
    contactId: ANA,
    now: '2026-04-10T03:00:00.000Z',
    timeZone: 'Asia/Tokyo',
    ...extra,
  });
  const recorded = (paymentId: string, amount: number, paidTotal: number, paidAt = '2026-04-10T03:00:00.000Z'): InvoiceEvent => ({
    type: 'InvoicePaymentRecorded',
    data: {
      invoiceId: 'i1',
      clientId: CLIENT,
      paymentId,
      amount,
      currency: 'JPY',
      method: 'bank-transfer',
      reference: 'MUFG 0042',
      paidAt,
      contactId: ANA,
      paidTotal,
      balance: 173250 - paidTotal,
    },
  });

  it('is shared with checked totals', () => {
    spec.given([]).when(share).then([shared]);
    spec.given([]).when({ ...share, total: '173251' }).thenThrows('amounts-do-not-add-up', { errors: [{ field: 'total', message: 'should be 173250' }] });
    spec.given([]).when({ ...share, dueDate: '2026-03-30' }).thenThrows('invalid-date');
  });

  it('takes partial payments, and the one that reaches the total closes it', () => {
    spec.given([shared]).when(pay('100000')).then([recorded('pay-100000', 100000, 100000)]);
    spec
      .given([shared, recorded('pay-100000', 100000, 100000)])
      .when(pay('73250'))
      .then([recorded('pay-73250', 73250, 173250), { type: 'InvoicePaid', data: { invoiceId: 'i1', clientId: CLIENT, paidTotal: 173250 } }]);
  });

  it('refuses an overpayment whole, naming the balance', () => {
    spec.given([shared, recorded('pay-100000', 100000, 100000)]).when(pay('73251')).thenThrows('overpayment', { balance: '73250', currency: 'JPY' });
  });

  it('refuses any payment once paid (409)', () => {
    const paid: InvoiceEvent = { type: 'InvoicePaid', data: { invoiceId: 'i1', clientId: CLIENT, paidTotal: 173250 } };
    spec.given([shared, recorded('p', 173250, 173250), paid]).when(pay('1')).thenThrows('invoice-paid');
  });

  it('refuses zero, negative or over-precise amounts, unknown methods, no reference, and future payment dates', () => {
    spec.given([shared]).when(pay('0')).thenThrows('invalid-amount');
    spec.given([shared]).when(pay('-5')).thenThrows('invalid-amount');
    spec.given([shared]).when(pay('10.5')).thenThrows('invalid-amount');
    spec.given([shared]).when(pay('10', { method: 'cheque' })).thenThrows('invalid-payment-method');
    spec.given([shared]).when(pay('10', { reference: ' ' })).thenThrows('invalid-reference');
    // Tokyo is already on the 10th at 03:00 UTC (12:00 local); the 11th is the future.
    spec.given([shared]).when(pay('10', { paidAt: '2026-04-11' })).thenThrows('payment-in-future');
    spec.given([shared]).when(pay('10', { paidAt: '2026-04-10T04:00:00Z' })).thenThrows('payment-in-future');
    spec.given([shared]).when(pay('10', { paidAt: 'yesterday' })).thenThrows('invalid-date');
    spec.given([shared]).when(pay('10', { paidAt: '2026-04-10' })).then([{ ...recorded('pay-10', 10, 10, '2026-04-10') }]);
    spec.given([]).when(pay('10')).thenThrows('invoice-not-found');
  });

  it('is overdue after the end of its due date in the organization’s time zone, unless paid', () => {
    expect(isInvoiceOverdue({ status: 'open', dueDate: '2026-04-30' }, '2026-04-30T14:59:59Z', 'Asia/Tokyo')).toBe(false);
    expect(isInvoiceOverdue({ status: 'open', dueDate: '2026-04-30' }, '2026-04-30T15:00:00Z', 'Asia/Tokyo')).toBe(true);
    expect(isInvoiceOverdue({ status: 'paid', dueDate: '2026-04-30' }, '2026-06-01T00:00:00Z', 'Asia/Tokyo')).toBe(false);
  });

  describe('MoveDocumentToClient (an administrative re-filing, allowed in every status)', () => {
    const move: InvoiceCommand = { type: 'MoveDocumentToClient', toClientId: 'c2', reason: 'contact-dissociated' };
    const moved: InvoiceEvent = {
      type: 'DocumentMovedToClient',
      data: { documentId: 'i1', kind: 'invoice', fromClientId: CLIENT, toClientId: 'c2', contactId: ANA, reason: 'contact-dissociated' },
    };
    const paid: InvoiceEvent = { type: 'InvoicePaid', data: { invoiceId: 'i1', clientId: CLIENT, paidTotal: 173250 } };

    it('given an open invoice part-paid, when moved, then it is moved with its payments; the next payment names the new company', () => {
      spec.given([shared, recorded('pay-100000', 100000, 100000)]).when(move).then([moved]);
      const state = [shared, recorded('pay-100000', 100000, 100000), moved].reduce(invoice.evolve, invoice.initialState());
      expect(state).toMatchObject({ status: 'open', paidTotal: 100000, invoice: { clientId: 'c2' } });
      expect(state.payments).toHaveLength(1);
      spec
        .given([shared, recorded('pay-100000', 100000, 100000), moved])
        .when(pay('73250'))
        .then([{ ...recorded('pay-73250', 73250, 173250), data: { ...recorded('pay-73250', 73250, 173250).data, clientId: 'c2' } } as InvoiceEvent, { type: 'InvoicePaid', data: { invoiceId: 'i1', clientId: 'c2', paidTotal: 173250 } }]);
    });

    it('given a paid (final) invoice, when moved, then it is moved and stays paid', () => {
      spec.given([shared, recorded('p', 173250, 173250), paid]).when(move).then([moved]);
      expect([shared, recorded('p', 173250, 173250), paid, moved].reduce(invoice.evolve, invoice.initialState())).toMatchObject({ status: 'paid', invoice: { clientId: 'c2' } });
    });

    it('given an invoice already with that company, when moved there, then nothing is written', () => {
      spec.given([shared]).when({ ...move, toClientId: CLIENT }).then([]);
      spec.given([shared, moved]).when(move).then([]);
    });

    it('given no invoice, when moved, then not found', () => spec.given([]).when(move).thenThrows('invoice-not-found'));
  });

  it('with nothing to pay is closed at once', () => {
    spec
      .given([])
      .when({ ...share, lines: [{ description: 'Goodwill', quantity: '1', unitPrice: '0' }], tax: null, total: null })
      .then([
        expect.objectContaining({ type: 'InvoiceShared' }) as unknown as InvoiceEvent,
        { type: 'InvoicePaid', data: { invoiceId: 'i1', clientId: CLIENT, paidTotal: 0 } },
      ]);
  });
});
