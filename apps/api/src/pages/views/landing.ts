import type { DocumentView } from '../../collaboration/collaboration.dto';
import type { InvoiceSummaryView, QuoteSummaryView } from '../../quotes-invoices/quotes-invoices.dto';
import type { ShiftView, TimesheetView } from '../../shifts-timesheets/shifts-timesheets.dto';
import { html, Html } from '../html';
import { Formatter } from './format';
import { banner, layout, PageContext } from './layout';

export type ListedModule = 'shifts' | 'timesheets' | 'quotes' | 'invoices';

/** One line of a list: what it is, the figures that tell it apart, its state. */
export interface ListItem {
  id: string;
  kind: DocumentView['kind'];
  title: string;
  details: string[];
  status: string;
}

export interface LandingData {
  name: string;
  organizationName: string;
  notice?: string;
  awaiting: ListItem[];
  /** The modules the person's user type lets it see, in this order. */
  sections: Array<{ module: ListedModule; items: ListItem[] }>;
}

export function landingPage(ctx: PageContext, data: LandingData): Html {
  const { m } = ctx;
  return layout(ctx, {
    title: m.greeting(data.name),
    body: html`<h1>${m.greeting(data.name)}</h1>
${data.notice ? banner('notice', data.notice) : null}
<p>${m.sharedIntro(data.organizationName)}</p>
<section aria-labelledby="awaiting-title" class="panel awaiting">
  <h2 id="awaiting-title">${m.awaitingTitle}</h2>
  ${data.awaiting.length ? itemList(ctx, data.awaiting) : html`<p>${m.nothingAwaiting}</p>`}
</section>
${data.sections.map(
  ({ module, items }) => html`<section aria-labelledby="${module}-title" class="panel">
  <h2 id="${module}-title">${m.modules[module]}</h2>
  ${items.length ? itemList(ctx, items) : html`<p>${m.nothingShared}</p>`}
</section>`,
)}`,
  });
}

function itemList(ctx: PageContext, items: ListItem[]): Html {
  return html`<ul class="items">
${items.map(
  (item) => html`<li class="item">
  <a href="/portal/documents/${item.id}" class="item-title">${item.title}</a>
  <span class="status status-${item.status}">${ctx.m.statuses[item.status] ?? item.status}</span>
  ${item.details.length ? html`<span class="item-details">${item.details.join(' · ')}</span>` : null}
</li>`,
)}
</ul>`;
}

// What each kind shows in a list, from the API's own views.

export function shiftItem(ctx: PageContext, shift: ShiftView): ListItem {
  const { m, format } = ctx;
  return {
    id: shift.id,
    kind: 'shift',
    title: `${shift.role ?? m.kinds.shift} · ${shift.staffMember.name}`,
    details: [`${format.dateTime(shift.startsAt)} – ${format.time(shift.endsAt)}`, shift.location ?? ''].filter(Boolean),
    status: shift.status,
  };
}

export function timesheetItem(ctx: PageContext, timesheet: TimesheetView): ListItem {
  const { m, format } = ctx;
  const dates = timesheet.entries.map((e) => e.date).sort();
  return {
    id: timesheet.id,
    kind: 'timesheet',
    title: `${m.kinds.timesheet} · ${timesheet.staffMember.name}`,
    details: [period(format, dates[0], dates[dates.length - 1]), m.hours(format.number(timesheet.totalHours))],
    status: timesheet.status,
  };
}

export function quoteItem(ctx: PageContext, quote: QuoteSummaryView): ListItem {
  const { m, format } = ctx;
  return {
    id: quote.id,
    kind: 'quote',
    title: quote.title,
    details: [quote.number, format.money(quote.total, quote.currency), `${m.validUntilLabel} ${format.date(quote.validUntil)}`],
    status: quote.expired ? 'expired' : quote.status,
  };
}

export function invoiceItem(ctx: PageContext, invoice: InvoiceSummaryView): ListItem {
  const { m, format } = ctx;
  return {
    id: invoice.id,
    kind: 'invoice',
    title: invoice.title,
    details: [invoice.number, format.money(invoice.status === 'open' ? invoice.balance : invoice.total, invoice.currency), `${m.dueDate} ${format.date(invoice.dueDate)}`],
    status: invoice.overdue ? 'overdue' : invoice.status,
  };
}

/** An approvals-queue row (any kind), from the per-client list's summary. */
export function awaitingItem(ctx: PageContext, row: DocumentView): ListItem {
  const { m, format } = ctx;
  const summary = row.summary as Record<string, any>;
  if (row.kind === 'timesheet') {
    return {
      id: row.id,
      kind: row.kind,
      title: `${m.kinds.timesheet} · ${summary.staffMember?.name ?? ''}`,
      details: [period(format, summary.firstDate, summary.lastDate), m.hours(format.number((summary.totalMinutes ?? 0) / 60))],
      status: row.status,
    };
  }
  return {
    id: row.id,
    kind: row.kind,
    title: row.title || `${m.kinds[row.kind]} ${row.number ?? ''}`,
    details: [row.number ?? '', summary.total ? format.money(summary.total, summary.currency) : '', summary.validUntil ? `${m.validUntilLabel} ${format.date(summary.validUntil)}` : ''].filter(Boolean),
    status: row.status,
  };
}

function period(format: Formatter, first: string | undefined, last: string | undefined): string {
  if (!first) return '';
  return !last || first === last ? format.date(first) : `${format.date(first)} – ${format.date(last)}`;
}
