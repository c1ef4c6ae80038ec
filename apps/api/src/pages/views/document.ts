import type { CommentView } from '../../collaboration/collaboration.dto';
import type { InvoiceView, QuoteView } from '../../quotes-invoices/quotes-invoices.dto';
import type { ShiftView, TimesheetView } from '../../shifts-timesheets/shifts-timesheets.dto';
import { COMMENT_MAX_LENGTH, PAYMENT_METHODS } from '@app/domain';
import { html, Html, HtmlValue } from '../html';
import { banner, csrfField, layout, PageContext } from './layout';

export type OpenedDocument =
  | { kind: 'shift'; shift: ShiftView }
  | { kind: 'timesheet'; timesheet: TimesheetView }
  | { kind: 'quote'; quote: QuoteView }
  | { kind: 'invoice'; invoice: InvoiceView };

export interface DocumentPageData {
  document: OpenedDocument;
  /** Oldest first; null for shifts (no comments on them). */
  comments: CommentView[] | null;
  /** The person's user type may decide (approve, accept, pay) documents of this kind. */
  mayDecide: boolean;
  /** The signed-in person's contact: its own comments read "You". */
  contactId: string;
  notice?: string;
  problem?: string;
}

export function documentPage(ctx: PageContext, data: DocumentPageData): Html {
  const { m } = ctx;
  const { title, body, actions } = render(ctx, data);
  const id = documentId(data.document);
  return layout(ctx, {
    title,
    body: html`<p class="breadcrumb"><a href="/portal">${m.backToPortal}</a></p>
<h1>${title}</h1>
${data.notice ? banner('notice', data.notice) : null}
${data.problem ? banner('problem', data.problem, m.errorSummary) : null}
${body}
${actions}
${data.comments ? comments(ctx, id, data.comments, data.contactId) : null}`,
  });
}

function documentId(document: OpenedDocument): string {
  switch (document.kind) {
    case 'shift':
      return document.shift.id;
    case 'timesheet':
      return document.timesheet.id;
    case 'quote':
      return document.quote.id;
    case 'invoice':
      return document.invoice.id;
  }
}

function render(ctx: PageContext, data: DocumentPageData): { title: string; body: Html; actions: HtmlValue } {
  const { m, format } = ctx;
  const document = data.document;
  switch (document.kind) {
    case 'shift': {
      const shift = document.shift;
      return {
        title: `${shift.role ?? m.kinds.shift} · ${shift.staffMember.name}`,
        body: facts(ctx, [
          [m.status, statusLabel(ctx, shift.status)],
          [m.staffMember, shift.staffMember.name],
          [m.start, format.dateTime(shift.startsAt)],
          [m.end, format.dateTime(shift.endsAt)],
          [m.location, shift.location],
          [m.role, shift.role],
          [m.cancellationReason, shift.cancellationReason],
        ]),
        actions: null,
      };
    }
    case 'timesheet': {
      const timesheet = document.timesheet;
      const id = timesheet.id;
      return {
        title: `${m.kinds.timesheet} · ${timesheet.staffMember.name}`,
        body: html`${facts(ctx, [
          [m.status, statusLabel(ctx, timesheet.status)],
          [m.staffMember, timesheet.staffMember.name],
          [m.totalHours, m.hours(format.number(timesheet.totalHours))],
          [m.note, timesheet.note],
          [m.rejectionReason, timesheet.rejectionReason],
        ])}
<h2>${m.entries}</h2>
<ul class="lines">
${timesheet.entries.map(
  (entry) => html`<li><span class="line-main">${format.date(entry.date)}</span>
  <span>${entry.start}–${entry.end}${entry.breakMinutes ? ` (${m.breakMinutes(entry.breakMinutes)})` : ''}</span>
  <span class="line-amount">${m.hours(format.number(entry.minutes / 60))}</span>${entry.note ? html`<span class="line-note">${entry.note}</span>` : null}</li>`,
)}
</ul>`,
        actions:
          data.mayDecide && timesheet.status === 'submitted'
            ? html`<section class="panel actions" aria-labelledby="decide-title">
  <h2 id="decide-title" class="visually-hidden">${m.approve} / ${m.reject}</h2>
  <form method="post" action="/portal/documents/${id}/approve" class="inline-form">
    ${csrfField(ctx)}
    <button type="submit">${m.approve}</button>
  </form>
  <form method="post" action="/portal/documents/${id}/reject" class="stack">
    ${csrfField(ctx)}
    <fieldset>
      <legend>${m.rejectLegend}</legend>
      ${reasonField('reject-reason', m.reason)}
      <button type="submit" class="secondary">${m.reject}</button>
    </fieldset>
  </form>
</section>`
            : null,
      };
    }
    case 'quote': {
      const quote = document.quote;
      const id = quote.id;
      return {
        title: quote.title,
        body: html`${facts(ctx, [
          [m.status, statusLabel(ctx, quote.expired ? 'expired' : quote.status)],
          [m.number, quote.number],
          [m.issueDate, format.date(quote.issueDate)],
          [m.validUntilLabel, format.date(quote.validUntil)],
          [m.reason, quote.decision?.reason ?? null],
        ])}
${lines(ctx, quote)}
${link(ctx, quote.link)}`,
        actions:
          data.mayDecide && quote.status === 'pending' && !quote.expired
            ? html`<section class="panel actions" aria-labelledby="decide-title">
  <h2 id="decide-title" class="visually-hidden">${m.acceptQuote} / ${m.declineQuote}</h2>
  <form method="post" action="/portal/documents/${id}/accept" class="inline-form">
    ${csrfField(ctx)}
    <button type="submit">${m.acceptQuote}</button>
  </form>
  <form method="post" action="/portal/documents/${id}/decline" class="stack">
    ${csrfField(ctx)}
    <fieldset>
      <legend>${m.declineLegend}</legend>
      ${reasonField('decline-reason', m.reason)}
      <button type="submit" class="secondary">${m.declineQuote}</button>
    </fieldset>
  </form>
</section>`
            : null,
      };
    }
    case 'invoice': {
      const invoice = document.invoice;
      const id = invoice.id;
      return {
        title: invoice.title,
        body: html`${facts(ctx, [
          [m.status, statusLabel(ctx, invoice.overdue ? 'overdue' : invoice.status)],
          [m.number, invoice.number],
          [m.issueDate, format.date(invoice.issueDate)],
          [m.dueDate, format.date(invoice.dueDate)],
          [m.paid, format.money(invoice.paid, invoice.currency)],
          [m.balance, format.money(invoice.balance, invoice.currency)],
        ])}
${lines(ctx, invoice)}
${invoice.payments.length
  ? html`<h2>${m.payments}</h2>
<ul class="lines">${invoice.payments.map(
      (payment) => html`<li><span class="line-main">${format.date(payment.paidAt)}</span><span>${m.methods[payment.method] ?? payment.method} · ${payment.reference}</span><span class="line-amount">${format.money(payment.amount, invoice.currency)}</span></li>`,
    )}</ul>`
  : null}
${link(ctx, invoice.link)}`,
        actions:
          data.mayDecide && invoice.status === 'open'
            ? html`<section class="panel actions">
  <form method="post" action="/portal/documents/${id}/payments" class="stack">
    ${csrfField(ctx)}
    <fieldset>
      <legend>${m.payLegend}</legend>
      <div class="field">
        <label for="payment-amount">${m.amount} (${invoice.currency})</label>
        <input id="payment-amount" name="amount" type="text" inputmode="decimal" required value="${invoice.balance}" pattern="[0-9]+([.][0-9]+)?" maxlength="30">
      </div>
      <div class="field">
        <label for="payment-method">${m.method}</label>
        <select id="payment-method" name="method">${PAYMENT_METHODS.map((method) => html`<option value="${method}">${m.methods[method]}</option>`)}</select>
      </div>
      <div class="field">
        <label for="payment-reference">${m.reference}</label>
        <input id="payment-reference" name="reference" type="text" required maxlength="200">
      </div>
      <div class="field">
        <label for="payment-date">${m.paidOn}</label>
        <input id="payment-date" name="paidAt" type="date">
      </div>
      <button type="submit">${m.recordPayment}</button>
    </fieldset>
  </form>
</section>`
            : null,
      };
    }
  }
}

function facts(ctx: PageContext, rows: Array<[string, HtmlValue]>): Html {
  return html`<dl class="facts">
${rows.filter(([, value]) => value !== null && value !== undefined && value !== '').map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}
</dl>`;
}

function statusLabel(ctx: PageContext, status: string): Html {
  return html`<span class="status status-${status}">${ctx.m.statuses[status] ?? status}</span>`;
}

function lines(ctx: PageContext, document: QuoteView | InvoiceView): Html {
  const { m, format } = ctx;
  const money = (amount: string) => format.money(amount, document.currency);
  return html`<h2>${m.lines}</h2>
<ul class="lines">
${document.lines.map(
  (line) => html`<li><span class="line-main">${line.description}</span><span>${m.lineOf(format.number(line.quantity, 3), money(line.unitPrice))}</span><span class="line-amount">${money(line.amount)}</span></li>`,
)}
</ul>
<dl class="facts totals">
  <div><dt>${m.subtotal}</dt><dd>${money(document.subtotal)}</dd></div>
  <div><dt>${m.tax}</dt><dd>${money(document.tax)}</dd></div>
  <div><dt>${m.total}</dt><dd><strong>${money(document.total)}</strong></dd></div>
</dl>`;
}

/** The organization's own copy: only an https link is ever rendered as one. */
function link(ctx: PageContext, href: string): HtmlValue {
  return /^https:\/\//i.test(href) ? html`<p><a href="${href}" rel="noopener noreferrer" target="_blank">${ctx.m.externalLink}</a></p>` : null;
}

function reasonField(id: string, label: string): Html {
  return html`<div class="field">
  <label for="${id}">${label}</label>
  <textarea id="${id}" name="reason" required maxlength="1000" rows="3"></textarea>
</div>`;
}

function comments(ctx: PageContext, id: string, list: CommentView[], contactId: string): Html {
  const { m, format } = ctx;
  const author = (comment: CommentView) =>
    comment.author.kind === 'staff' ? ctx.organizationName ?? '' : comment.author.contactId === contactId ? m.authorYou : m.authorColleague;
  return html`<section class="panel" aria-labelledby="comments-title" id="comments">
  <h2 id="comments-title">${m.comments}</h2>
  ${list.length
    ? html`<ol class="comments">${list.map(
        (comment) => html`<li><p class="comment-meta"><strong>${author(comment)}</strong> · <time datetime="${comment.createdAt}">${format.dateTime(comment.createdAt)}</time></p><p class="comment-text">${comment.text}</p></li>`,
      )}</ol>`
    : html`<p>${m.noComments}</p>`}
  <form method="post" action="/portal/documents/${id}/comments" class="stack">
    ${csrfField(ctx)}
    <div class="field">
      <label for="comment-text">${m.commentLabel}</label>
      <textarea id="comment-text" name="text" required maxlength="${COMMENT_MAX_LENGTH}" rows="3"></textarea>
    </div>
    <button type="submit" class="secondary">${m.sendComment}</button>
  </form>
</section>`;
}
