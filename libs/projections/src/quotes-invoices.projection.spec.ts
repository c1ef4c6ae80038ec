import { randomUUID } from 'node:crypto';
import { invoice, InvoiceEvent, quote } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { clientDocumentsProjection } from './client-documents.projection';
import { eventLog, recordedEvent } from './testing/events';
import { projectionSpec } from './testing/projection-spec';

describe('quotes and invoices in the client documents projection', () => {
  const spec = projectionSpec(clientDocumentsProjection);
  const header = { clientId: 'c1', contactId: null, number: 'N-1', issueDate: '2026-03-01', link: 'https://erp.example/doc/1' };
  const lines = [{ description: 'Work', quantity: '2', unitPrice: '100.25' }];

  it('lists quotes with their decision and invoices with what is paid, the same when delivered again or rebuilt', async () => {
    const quoteEvents = [
      ...quote.decide({ type: 'ShareQuote', quoteId: 'q1', ...header, validUntil: '2026-03-31', currency: 'EUR', lines, tax: '40.10' }, quote.initialState()),
    ];
    const sharedQuote = quoteEvents.reduce(quote.evolve, quote.initialState());
    quoteEvents.push(...quote.decide({ type: 'DeclineQuote', contactId: 'ana', reason: 'Too dear' }, sharedQuote));
    const invoiceEvents = invoice.decide(
      { type: 'ShareInvoice', invoiceId: 'i1', ...header, projectId: 'p1', project: { projectId: 'p1', exists: true, archived: false, clientIds: ['c1'], primaryClientId: 'c1' }, dueDate: '2026-03-31', currency: 'JPY', lines: [{ description: 'Work', quantity: '3', unitPrice: '1000' }] },
      invoice.initialState(),
    );
    const pay = (amount: string, events: InvoiceEvent[]) =>
      invoice.decide(
        { type: 'RecordInvoicePayment', paymentId: randomUUID(), amount, method: 'card', reference: 'r', contactId: 'ana', now: '2026-03-02T00:00:00Z', timeZone: 'UTC' },
        events.reduce(invoice.evolve, invoice.initialState()),
      );
    invoiceEvents.push(...pay('1000', invoiceEvents));
    const afterPartial = [...invoiceEvents];
    invoiceEvents.push(...pay('2000', invoiceEvents));

    const log = eventLog({ start: '2026-03-01T00:00:00.000Z' });
    for (const event of quoteEvents) log.record('quote-q1', event);
    for (const event of invoiceEvents) log.record('invoice-i1', event);
    const partial = log.events.slice(0, quoteEvents.length + afterPartial.length);
    const paidInPart = (await spec.given(partial)).readStore;
    expect(await paidInPart.get(CLIENT_DOCUMENTS_COLLECTION, 'i1')).toMatchObject({ status: 'open', pending: true, awaitsApproval: false, paid: '1000', balance: '2000', paidAt: null });

    const { readStore } = await spec.given(log.events);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 'q1')).toEqual({
      id: 'q1',
      organizationId: 'o1',
      kind: 'quote',
      clientId: 'c1',
      contactId: null,
      projectId: null,
      number: 'N-1',
      title: 'Quote N-1',
      status: 'declined',
      pending: false,
      awaitsApproval: false,
      createdAt: '2026-03-01T00:00:01.000Z',
      updatedAt: '2026-03-01T00:00:02.000Z',
      summary: { currency: 'EUR', issueDate: '2026-03-01', validUntil: '2026-03-31', subtotal: '200.50', tax: '40.10', total: '240.60', lineCount: 1, link: 'https://erp.example/doc/1' },
      decision: { status: 'declined', at: '2026-03-01T00:00:02.000Z', contactId: 'ana', reason: 'Too dear' },
    });
    const paid = await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 'i1');
    expect(paid).toMatchObject({ kind: 'invoice', projectId: 'p1', status: 'paid', pending: false, paid: '3000', balance: '0', summary: { total: '3000', dueDate: '2026-03-31' } });
    expect(paid).toHaveProperty('paidAt', paid!.updatedAt);
    const ids = async (where: Record<string, string>) => (await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where, limit: 10 })).map((d) => d.id);
    expect(await ids({ organizationId: 'o1', clientId: 'c1', kind: 'quote', status: 'declined' })).toEqual(['q1']);
    expect(await ids({ organizationId: 'o1', kind: 'invoice', status: 'paid' })).toEqual(['i1']);
  });

  it('ignores events of other kinds', () => {
    expect(clientDocumentsProjection.project(recordedEvent({ type: 'ContactAdded', data: { quoteId: 'q', clientId: 'c', contactId: null } }, { stream: 'contact-c' }))).toEqual([]);
  });
});
