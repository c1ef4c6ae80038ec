import { DocumentKind, documentStream, documentViews, documentViewsStream, invoice, portalAccess, portalAccessStream, quote, shift } from '@app/domain';
import { History } from '../testing/history';
import { reportSpec } from '../testing/report-spec';
import { documentsReport, documentsReportProjection, DocumentsReportItem } from './documents.report';

const ORG = 'org-tokyo';
const TZ = 'Asia/Tokyo';
const [C1, C2] = ['client-1', 'client-2'];
const HOUR = 3_600_000;
const later = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();
const header = (clientId: string, at: string) => ({ clientId, number: 'N-1', issueDate: at.slice(0, 10), link: 'https://erp.example/d', currency: 'JPY', lines: [{ description: 'Work', quantity: '1', unitPrice: '1000' }] });

/** Documents shared, moved and opened, through their deciders. */
class Documents {
  readonly history = new History(ORG);
  private readonly clients = new Map<string, string>();

  quote(id: string, clientId: string, at: string): this {
    this.history.run(quote, documentStream('quote', id), { type: 'ShareQuote', quoteId: id, validUntil: '2026-12-31', ...header(clientId, at) }, { at });
    return this.filed(id, clientId);
  }
  invoice(id: string, clientId: string, at: string): this {
    this.history.run(invoice, documentStream('invoice', id), { type: 'ShareInvoice', invoiceId: id, dueDate: '2026-12-31', ...header(clientId, at) }, { at });
    return this.filed(id, clientId);
  }
  shift(id: string, clientId: string, at: string): this {
    const start = '2026-03-10T08:00:00+09:00';
    this.history.run(shift, documentStream('shift', id), { type: 'PublishShift', shiftId: id, clientId, staffMember: { name: 'Kenji Sato' }, start, end: '2026-03-10T17:00:00+09:00' }, { at });
    return this.filed(id, clientId);
  }
  moveQuote(id: string, toClientId: string, at: string): this {
    this.history.run(quote, documentStream('quote', id), { type: 'MoveDocumentToClient', toClientId, reason: 'contact-dissociated' }, { at });
    return this.filed(id, toClientId);
  }
  view(id: string, kind: DocumentKind, at: string): this {
    const clientId = this.clients.get(id)!;
    const viewer = { clientIds: [clientId], contactId: 'contact-1', visibility: 'company' as const };
    this.history.run(
      documentViews,
      documentViewsStream(id),
      { type: 'MarkDocumentViewed', documentId: id, kind, document: { clientId, contactId: null }, accessId: 'access-1', viewer },
      { at, actor: { kind: 'portal-user', id: 'access-1' }, channel: 'portal' },
    );
    return this;
  }
  access(portalId: string, clientId: string, at: string): this {
    const accessId = `access-${portalId}-${clientId}`;
    const invitation = { invitationId: `inv-${accessId}`, sentAt: at, expiresAt: later(at, 7 * 24 * HOUR) };
    const contact = { contactId: `contact-${clientId}`, clientIds: [clientId], email: `${clientId}@client.example` };
    this.history.run(portalAccess, portalAccessStream(accessId), { type: 'InviteContact', accessId, portalId, contact, invitation }, { at });
    return this;
  }
  private filed(id: string, clientId: string): this {
    this.clients.set(id, clientId);
    return this;
  }
}

function sharedAndOpened(): Documents {
  return new Documents()
    .quote('q1', C1, '2026-03-02T00:00:00Z')
    .view('q1', 'quote', '2026-03-02T01:00:00Z') // 1 h
    .view('q1', 'quote', '2026-03-02T05:00:00Z') // opened again: counts as a view, not a first view
    .quote('q2', C1, '2026-03-02T01:00:00Z')
    .view('q2', 'quote', '2026-03-02T04:00:00Z') // 3 h
    .quote('q3', C1, '2026-03-03T00:00:00Z') // never opened
    .invoice('i1', C1, '2026-03-03T00:00:00Z')
    .view('i1', 'invoice', '2026-03-03T00:10:00Z') // 10 min
    .shift('s1', C2, '2026-03-04T00:00:00Z')
    .quote('q4', C2, '2026-03-05T00:00:00Z')
    .moveQuote('q4', C1, '2026-03-06T00:00:00Z')
    .view('q4', 'quote', '2026-03-07T00:00:00Z'); // 2 days after sharing
}

const spec = reportSpec(documentsReportProjection, documentsReport);
const query = (extra: Partial<Parameters<typeof documentsReport>[1]> = {}) => ({ organizationId: ORG, timeZone: TZ, now: new Date('2026-03-20T00:00:00Z'), ...extra });

describe('documents report', () => {
  it('counts shared and viewed documents per company and kind, with the time to the first view', async () => {
    const report = await spec.given(sharedAndOpened().history.events).when(query());
    expect(report.items).toEqual<DocumentsReportItem[]>([
      { clientId: C1, kind: 'invoice', shared: 1, viewed: 1, notViewed: 0, views: 1, timeToFirstViewMedianSeconds: 600, timeToFirstViewP90Seconds: 600 },
      // [1 h, 3 h, 2 days]; the moved quote counts under the company it is filed under now.
      { clientId: C1, kind: 'quote', shared: 4, viewed: 3, notViewed: 1, views: 4, timeToFirstViewMedianSeconds: 10800, timeToFirstViewP90Seconds: 172800 },
      { clientId: C2, kind: 'shift', shared: 1, viewed: 0, notViewed: 1, views: 0, timeToFirstViewMedianSeconds: null, timeToFirstViewP90Seconds: null },
    ]);
    expect(report.totals).toEqual({ shared: 6, viewed: 4, notViewed: 2, views: 5, timeToFirstViewMedianSeconds: 3600, timeToFirstViewP90Seconds: 172800 });
  });

  it('filters by the local date of sharing, the company, and the companies of a portal’s accesses', async () => {
    const given = spec.given(sharedAndOpened().access('portal-2', C2, '2026-03-01T00:00:00Z').history.events);
    // 3 March in Tokyo: from 2 March 15:00 UTC to 3 March 15:00 UTC.
    const third = await given.when(query({ from: '2026-03-03', to: '2026-03-03' }));
    expect(third.items.map((i) => [i.clientId, i.kind, i.shared])).toEqual([
      [C1, 'invoice', 1],
      [C1, 'quote', 1],
    ]);
    expect((await given.when(query({ clientId: C2 }))).items.map((i) => [i.clientId, i.kind])).toEqual([[C2, 'shift']]);
    expect((await given.when(query({ portalId: 'portal-2' }))).items.map((i) => [i.clientId, i.kind])).toEqual([[C2, 'shift']]);
    expect((await given.when(query({ organizationId: 'another-org' }))).items).toEqual([]);
  });
});
