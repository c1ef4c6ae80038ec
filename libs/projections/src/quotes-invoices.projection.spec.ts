import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '@app/event-store';
import { invoice, InvoiceEvent, quote, QuoteEvent } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { clientDocumentsProjection } from './client-documents.projection';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';

describe('quotes and invoices in the client documents projection', () => {
  let dir: string;
  let readStore: ReadStore;
  let position = 0n;

  const recorded = (event: QuoteEvent | InvoiceEvent, organizationId = 'o1'): RecordedEvent => {
    position += 1n;
    const at = `2026-03-01T00:00:${String(position).padStart(2, '0')}.000Z`;
    return {
      id: randomUUID(),
      type: event.type,
      data: event.data as unknown as Record<string, unknown>,
      streamName: 'x',
      streamRevision: position,
      position,
      recordedAt: at,
      metadata: { organizationId, actor: { kind: 'staff', id: 'k1' }, channel: 'api', correlationId: 'c', causationId: 'c', occurredAt: at, schemaVersion: 1 },
    };
  };
  const header = { clientId: 'c1', contactId: null, number: 'N-1', issueDate: '2026-03-01', link: 'https://erp.example/doc/1' };
  const lines = [{ description: 'Work', quantity: '2', unitPrice: '100.25' }];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quotes-invoices-projection-'));
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    await readStore.ensureCollections(clientDocumentsProjection.collections);
    position = 0n;
  });
  afterEach(async () => {
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists quotes with their decision and invoices with what is paid; a replayed batch changes nothing', async () => {
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

    const events = [...quoteEvents, ...invoiceEvents].map((e) => recorded(e));
    const partial = events.slice(0, quoteEvents.length + afterPartial.length);
    await readStore.applyBatch(clientDocumentsProjection.name, partial.flatMap((e) => clientDocumentsProjection.project(e)), partial.at(-1)!.position);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 'i1')).toMatchObject({ status: 'open', pending: true, awaitsApproval: false, paid: '1000', balance: '2000', paidAt: null });

    await readStore.applyBatch(clientDocumentsProjection.name, events.flatMap((e) => clientDocumentsProjection.project(e)), position);
    const snapshot = async () => ({
      quote: await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 'q1'),
      invoice: await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 'i1'),
      declined: await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: 'o1', clientId: 'c1', kind: 'quote', status: 'declined' }, limit: 10 }),
      paid: await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: 'o1', kind: 'invoice', status: 'paid' }, limit: 10 }),
    });
    const first = await snapshot();
    expect(first.quote).toEqual({
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
    expect(first.invoice).toMatchObject({ kind: 'invoice', projectId: 'p1', status: 'paid', pending: false, paid: '3000', balance: '0', summary: { total: '3000', dueDate: '2026-03-31' } });
    expect(first.invoice).toHaveProperty('paidAt', first.invoice!.updatedAt);
    expect(first.declined.map((d) => d.id)).toEqual(['q1']);
    expect(first.paid.map((d) => d.id)).toEqual(['i1']);

    // Delivered again (a crash before the checkpoint): nothing changes.
    await readStore.applyBatch(clientDocumentsProjection.name, events.flatMap((e) => clientDocumentsProjection.project(e)), position);
    expect(await snapshot()).toEqual(first);
  });

  it('ignores events of other kinds', () => {
    position += 1n;
    expect(clientDocumentsProjection.project({ ...recorded({ type: 'QuoteAccepted', data: { quoteId: 'q', clientId: 'c', contactId: null } }), type: 'ContactAdded' })).toEqual([]);
  });
});
