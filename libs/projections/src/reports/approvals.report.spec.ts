import { documentStream, quote, QuoteCommand, timesheet, TimesheetCommand } from '@app/domain';
import { History } from '../testing/history';
import { reportSpec } from '../testing/report-spec';
import { approvalsReport, approvalsReportProjection, ApprovalsReportItem, hoursOf } from './approvals.report';

const ORG = 'org-new-york';
const TZ = 'America/New_York'; // EST (-05:00) until Sunday 2026-03-08 07:00 UTC, EDT (-04:00) after
const [C1, C2] = ['client-1', 'client-2'];

/** Timesheets and quotes through their deciders, at chosen instants. */
class Approvals {
  readonly history = new History(ORG);

  submit(id: string, clientId: string, at: string, shift: { start: string; end: string; breakMinutes: number }): this {
    return this.timesheet(id, at, {
      type: 'SubmitTimesheet',
      timesheetId: id,
      clientId,
      contactId: null,
      staffMember: { name: 'Jonas Weber' },
      entries: [{ date: at.slice(0, 10), ...shift }],
      timeZone: TZ,
    });
  }
  approve = (id: string, at: string) => this.timesheet(id, at, { type: 'ApproveTimesheet' });
  reject = (id: string, at: string) => this.timesheet(id, at, { type: 'RejectTimesheet', reason: 'hours do not match' });
  resubmit = (id: string, at: string, shift: { start: string; end: string; breakMinutes: number }) =>
    this.timesheet(id, at, { type: 'ResubmitTimesheet', entries: [{ date: at.slice(0, 10), ...shift }], timeZone: TZ });
  move = (id: string, toClientId: string, at: string) => this.timesheet(id, at, { type: 'MoveDocumentToClient', toClientId, reason: 'contact-dissociated' });

  share(id: string, clientId: string, at: string, validUntil: string): this {
    return this.quote(id, at, {
      type: 'ShareQuote',
      quoteId: id,
      validUntil,
      clientId,
      number: `Q-${id}`,
      issueDate: at.slice(0, 10),
      link: 'https://erp.example/q',
      currency: 'USD',
      lines: [{ description: 'Staff (hours)', quantity: '10', unitPrice: '45.50' }],
    });
  }
  accept = (id: string, at: string) => this.quote(id, at, { type: 'AcceptQuote', contactId: null, now: at, timeZone: TZ });
  decline = (id: string, at: string) => this.quote(id, at, { type: 'DeclineQuote', contactId: null, reason: 'over budget' });
  withdraw = (id: string, at: string) => this.quote(id, at, { type: 'WithdrawQuote', reason: 'replaced' });

  private timesheet(id: string, at: string, command: TimesheetCommand): this {
    this.history.run(timesheet, documentStream('timesheet', id), command, { at });
    return this;
  }
  private quote(id: string, at: string, command: QuoteCommand): this {
    this.history.run(quote, documentStream('quote', id), command, { at });
    return this;
  }
}

const EIGHT_HOURS = { start: '08:00', end: '16:30', breakMinutes: 30 }; // 480 minutes
const SEVEN_AND_A_HALF = { start: '08:00', end: '16:00', breakMinutes: 30 }; // 450 minutes

/**
 * Week 10 of 2026 runs from Monday 2 March to Sunday 8 March, the day New York's clocks go
 * forward; week 11 starts at Monday 00:00 EDT, 04:00 UTC (05:00 UTC the week before).
 */
function newYorkSpring(): Approvals {
  return new Approvals()
    .submit('t1', C1, '2026-03-02T14:00:00Z', EIGHT_HOURS)
    .approve('t1', '2026-03-02T16:00:00Z') // 2 h
    .submit('t2', C1, '2026-03-03T14:00:00Z', EIGHT_HOURS)
    .reject('t2', '2026-03-04T14:00:00Z')
    .resubmit('t2', '2026-03-05T14:00:00Z', SEVEN_AND_A_HALF)
    .approve('t2', '2026-03-05T20:00:00Z') // 6 h after the resubmission it answers
    .share('q1', C1, '2026-03-04T15:00:00Z', '2026-03-20')
    .accept('q1', '2026-03-06T15:00:00Z') // 2 days
    .share('q2', C2, '2026-03-04T16:00:00Z', '2026-03-10') // never decided: expired by the 20th
    .submit('t5', C2, '2026-03-09T03:30:00Z', EIGHT_HOURS) // Sunday 23:30 EDT: week 10
    .reject('t5', '2026-03-09T05:30:00Z') // 2 h
    .submit('t3', C1, '2026-03-09T04:30:00Z', EIGHT_HOURS) // Monday 00:30 EDT: week 11 (Sunday at EST)
    .submit('t4', C2, '2026-03-10T15:00:00Z', EIGHT_HOURS)
    .move('t4', C1, '2026-03-11T15:00:00Z') // counted under the company it is filed under now
    .share('q3', C2, '2026-03-10T15:00:00Z', '2026-03-31')
    .decline('q3', '2026-03-10T15:30:00Z') // 30 min
    .share('q4', C2, '2026-03-11T15:00:00Z', '2026-03-31')
    .withdraw('q4', '2026-03-12T15:00:00Z');
}

const spec = reportSpec(approvalsReportProjection, approvalsReport);
const query = (extra: Partial<Parameters<typeof approvalsReport>[1]> = {}) => ({ organizationId: ORG, timeZone: TZ, now: new Date('2026-03-20T12:00:00Z'), ...extra });
const none = { submitted: 0, approved: 0, rejected: 0, pending: 0, expired: 0, withdrawn: 0, timeToDecideMedianSeconds: null, timeToDecideP90Seconds: null, minutesApproved: 0, hoursApproved: '0.00' };

describe('approvals report', () => {
  it('counts timesheets and quotes per company, kind and ISO week of submission, across a DST change', async () => {
    const report = await spec.given(newYorkSpring().history.events).when(query());
    expect(report.items).toEqual<ApprovalsReportItem[]>([
      { ...none, week: '2026-W10', weekStart: '2026-03-02', clientId: C1, kind: 'quote', submitted: 1, approved: 1, timeToDecideMedianSeconds: 172800, timeToDecideP90Seconds: 172800 },
      {
        ...none,
        week: '2026-W10',
        weekStart: '2026-03-02',
        clientId: C1,
        kind: 'timesheet',
        submitted: 2,
        approved: 2,
        timeToDecideMedianSeconds: 7200,
        timeToDecideP90Seconds: 21600,
        minutesApproved: 930, // 480 + 450, as resubmitted
        hoursApproved: '15.50',
      },
      { ...none, week: '2026-W10', weekStart: '2026-03-02', clientId: C2, kind: 'quote', submitted: 1, expired: 1 },
      { ...none, week: '2026-W10', weekStart: '2026-03-02', clientId: C2, kind: 'timesheet', submitted: 1, rejected: 1, timeToDecideMedianSeconds: 7200, timeToDecideP90Seconds: 7200 },
      { ...none, week: '2026-W11', weekStart: '2026-03-09', clientId: C1, kind: 'timesheet', submitted: 2, pending: 2 },
      { ...none, week: '2026-W11', weekStart: '2026-03-09', clientId: C2, kind: 'quote', submitted: 2, rejected: 1, withdrawn: 1, timeToDecideMedianSeconds: 1800, timeToDecideP90Seconds: 1800 },
    ]);
    // Over the five decisions [30 min, 2 h, 2 h, 6 h, 2 days].
    expect(report.totals).toEqual({ ...none, submitted: 9, approved: 3, rejected: 2, pending: 2, expired: 1, withdrawn: 1, timeToDecideMedianSeconds: 7200, timeToDecideP90Seconds: 172800, minutesApproved: 930, hoursApproved: '15.50' });
  });

  it('counts a quote as pending through its last valid day, and expired after it (organization’s time zone)', async () => {
    const given = spec.given(new Approvals().share('q', C1, '2026-03-04T16:00:00Z', '2026-03-10').history.events);
    expect((await given.when(query({ now: new Date('2026-03-11T03:59:59Z') }))).totals).toMatchObject({ pending: 1, expired: 0 }); // 23:59:59 EDT
    expect((await given.when(query({ now: new Date('2026-03-11T04:00:00Z') }))).totals).toMatchObject({ pending: 0, expired: 1 });
  });

  it('filters by local dates (reading only the months they span), company and portal', async () => {
    const given = spec.given(
      newYorkSpring()
        .share('q5', C1, '2026-04-01T03:30:00Z', '2026-04-30') // 31 March, 23:30 EDT: a March date in an April UTC month
        .history.events,
    );
    const week11 = await given.when(query({ from: '2026-03-09', to: '2026-03-15' }));
    expect(week11.items.map((i) => [i.week, i.clientId, i.kind, i.submitted])).toEqual([
      ['2026-W11', C1, 'timesheet', 2],
      ['2026-W11', C2, 'quote', 2],
    ]);
    const lastOfMarch = await given.when(query({ from: '2026-03-31', to: '2026-03-31' }));
    expect(lastOfMarch.items.map((i) => [i.week, i.clientId, i.kind, i.pending])).toEqual([['2026-W14', C1, 'quote', 1]]);
    expect((await given.when(query({ from: '2026-04-01', to: '2026-04-30' }))).items).toEqual([]);
    const c2 = await given.when(query({ clientId: C2 }));
    expect(c2.items.map((i) => [i.week, i.kind])).toEqual([
      ['2026-W10', 'quote'],
      ['2026-W10', 'timesheet'],
      ['2026-W11', 'quote'],
    ]);
    // No access to that portal: no company, nothing.
    expect((await given.when(query({ portalId: 'portal-nobody-uses' }))).items).toEqual([]);
  });

  it('gives hours with two decimals, rounded half up, from whole minutes', () => {
    expect([0, 1, 20, 30, 450, 930, 61, 1439].map(hoursOf)).toEqual(['0.00', '0.02', '0.33', '0.50', '7.50', '15.50', '1.02', '23.98']);
  });
});
