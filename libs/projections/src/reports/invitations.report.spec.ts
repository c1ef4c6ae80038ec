import { randomUUID } from 'node:crypto';
import { NewInvitation, portalAccess, PortalAccessState, portalAccessStream, zonedTimeToInstant } from '@app/domain';
import { History, seeded } from '../testing/history';
import { reportSpec } from '../testing/report-spec';
import { invitationsReport, invitationsReportProjection, InvitationsReportItem } from './invitations.report';

const ORG = 'org-berlin';
const TZ = 'Europe/Berlin'; // CET (+01:00) until Sunday 2026-03-29 01:00 UTC, CEST (+02:00) after
const [P1, P2] = ['portal-1', 'portal-2'];
const [C1, C2] = ['client-1', 'client-2'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const later = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/** Invitation lifecycles through the portal-access decider, at chosen instants. */
class Invitations {
  readonly history = new History(ORG);

  invite(access: string, at: string, options: { portalId?: string; clientId?: string; validDays?: number } = {}): this {
    const contact = { contactId: `contact-${access}`, clientIds: [options.clientId ?? C1], email: `${access}@client.example` };
    return this.run(access, at, { type: 'InviteContact', accessId: access, portalId: options.portalId ?? P1, contact, invitation: invitation(at, options.validDays) });
  }
  resend(access: string, at: string, validDays?: number): this {
    return this.run(access, at, { type: 'ResendInvitation', invitation: invitation(at, validDays), cooldownSeconds: 0, email: 'person@example.com' });
  }
  accept(access: string, at: string): this {
    const state = this.history.state<PortalAccessState>(portalAccessStream(access))!;
    return this.run(access, at, { type: 'AcceptInvitation', invitationId: state.invitationId!, now: at });
  }
  disable(access: string, at: string): this {
    return this.run(access, at, { type: 'DisablePortalAccess' });
  }
  enable(access: string, at: string, validDays?: number): this {
    return this.run(access, at, { type: 'EnablePortalAccess', invitation: invitation(at, validDays), email: 'person@example.com' });
  }
  revoke(access: string, at: string): this {
    return this.run(access, at, { type: 'RevokePortalAccess' });
  }

  private run(access: string, at: string, command: Parameters<typeof portalAccess.decide>[0]): this {
    this.history.run(portalAccess, portalAccessStream(access), command, { at });
    return this;
  }
}

function invitation(at: string, validDays = 7): NewInvitation {
  return { invitationId: randomUUID(), sentAt: at, expiresAt: later(at, validDays * DAY) };
}

const spec = reportSpec(invitationsReportProjection, invitationsReport);
const query = (extra: Partial<Parameters<typeof invitationsReport>[1]> = {}) => ({ organizationId: ORG, timeZone: TZ, now: new Date('2026-04-10T00:00:00Z'), ...extra });

/**
 * Week 13 of 2026 runs from Monday 23 March to Sunday 29 March, the day Berlin's clocks go
 * forward; week 14 starts at Monday 00:00 CEST, which is still Sunday 22:00 in UTC.
 */
function berlinSpring(): Invitations {
  return (
    new Invitations()
      // Week 13, portal 1
      .invite('a1', '2026-03-23T08:00:00Z')
      .accept('a1', '2026-03-23T09:00:00Z') // 1 h
      .disable('a1', '2026-04-05T09:00:00Z') // accepted stays accepted
      .invite('a2', '2026-03-24T10:00:00Z')
      .resend('a2', '2026-03-26T10:00:00Z')
      .accept('a2', '2026-03-27T10:00:00Z') // 3 days after the first invitation
      .invite('a3', '2026-03-25T10:00:00Z', { validDays: 7 }) // expires 1 April 10:00 UTC
      .invite('a4', '2026-03-29T21:30:00Z', { validDays: 30 }) // Sunday 23:30 CEST: still week 13
      .invite('a5', '2026-03-26T09:00:00Z')
      .revoke('a5', '2026-03-27T09:00:00Z') // withdrawn; invited again in week 14
      .invite('a8', '2026-03-23T12:00:00Z', { clientId: C2 })
      .disable('a8', '2026-03-24T12:00:00Z') // withdrawn
      // Week 14
      .invite('a6', '2026-03-29T22:30:00Z') // Monday 00:30 CEST (Sunday 22:30 UTC): week 14
      .accept('a6', '2026-03-30T00:30:00Z') // 2 h
      .invite('a5', '2026-03-31T08:00:00Z')
      .accept('a5', '2026-04-01T08:00:00Z') // 1 day
      .invite('a7', '2026-04-01T12:00:00Z', { portalId: P2, clientId: C2 })
      .disable('a7', '2026-04-02T12:00:00Z')
      .enable('a7', '2026-04-03T12:00:00Z', 30) // a fresh invitation: sent again, pending
  );
}

describe('invitations report', () => {
  it('counts the funnel per portal and ISO week of the first invitation, in the organization’s time zone across a DST change', async () => {
    const report = await spec.given(berlinSpring().history.events).when(query());
    expect(report.items).toEqual<InvitationsReportItem[]>([
      {
        week: '2026-W13',
        weekStart: '2026-03-23',
        portalId: P1,
        invited: 6,
        accepted: 2,
        pending: 1,
        expired: 1,
        withdrawn: 2,
        resends: 1,
        timeToAcceptMedianSeconds: 3600,
        timeToAcceptP90Seconds: 3 * 86400,
      },
      { week: '2026-W14', weekStart: '2026-03-30', portalId: P1, invited: 2, accepted: 2, pending: 0, expired: 0, withdrawn: 0, resends: 0, timeToAcceptMedianSeconds: 7200, timeToAcceptP90Seconds: 86400 },
      { week: '2026-W14', weekStart: '2026-03-30', portalId: P2, invited: 1, accepted: 0, pending: 1, expired: 0, withdrawn: 0, resends: 1, timeToAcceptMedianSeconds: null, timeToAcceptP90Seconds: null },
    ]);
    // Medians over every accepted cycle, not of the weeks' medians: [1 h, 2 h, 1 day, 3 days].
    expect(report.totals).toEqual({ invited: 9, accepted: 4, pending: 2, expired: 1, withdrawn: 2, resends: 2, timeToAcceptMedianSeconds: 7200, timeToAcceptP90Seconds: 3 * 86400 });
  });

  it('tells pending from expired by the last invitation’s expiry, as of now', async () => {
    const given = spec.given(new Invitations().invite('a3', '2026-03-25T10:00:00Z', { validDays: 7 }).history.events);
    expect((await given.when(query({ now: new Date('2026-04-01T09:59:59Z') }))).totals).toMatchObject({ pending: 1, expired: 0 });
    expect((await given.when(query({ now: new Date('2026-04-01T10:00:00Z') }))).totals).toMatchObject({ pending: 0, expired: 1 });
  });

  it('filters by local dates, portal and the company the contact had when invited', async () => {
    const given = spec.given(berlinSpring().history.events);
    const week14 = await given.when(query({ from: '2026-03-30', to: '2026-04-05' }));
    expect(week14.items.map((i) => [i.week, i.portalId, i.invited])).toEqual([
      ['2026-W14', P1, 2],
      ['2026-W14', P2, 1],
    ]);
    // The last day of week 13 in Berlin ends at 21:59:59 UTC: a4 (21:30 UTC) is in, a6 (22:30 UTC) is not.
    const sunday = await given.when(query({ from: '2026-03-29', to: '2026-03-29' }));
    expect(sunday.totals).toMatchObject({ invited: 1, pending: 1 });
    expect((await given.when(query({ portalId: P2 }))).items.map((i) => i.portalId)).toEqual([P2]);
    const c2 = await given.when(query({ clientId: C2 }));
    expect(c2.items.map((i) => [i.week, i.portalId, i.invited, i.withdrawn, i.pending])).toEqual([
      ['2026-W13', P1, 1, 1, 0],
      ['2026-W14', P2, 1, 0, 1],
    ]);
    expect((await given.when(query({ organizationId: 'another-org' }))).items).toEqual([]);
  });

  it('adds up over a generated history: every cycle counted once in its week, medians of what was generated', async () => {
    const random = seeded(13);
    const invitations = new Invitations();
    const expected = new Map<string, { invited: number; accepted: number; pending: number; expired: number; withdrawn: number; resends: number; durations: number[] }>();
    // Weeks 12 to 15 of 2026 (Berlin's clocks go forward on the last day of week 13).
    const weeks = [
      { week: '2026-W12', monday: '2026-03-16' },
      { week: '2026-W13', monday: '2026-03-23' },
      { week: '2026-W14', monday: '2026-03-30' },
      { week: '2026-W15', monday: '2026-04-06' },
    ];
    for (let n = 0; n < 240; n++) {
      const { week, monday } = weeks[Math.floor(random() * weeks.length)];
      const date = new Date(Date.parse(`${monday}T00:00:00Z`) + Math.floor(random() * 7) * DAY).toISOString().slice(0, 10);
      // Every third invitation within an hour and a half of midnight, where a wrong offset shows.
      const minutes = random() < 1 / 3 ? (Math.floor(random() * 180) + 1350) % 1440 : Math.floor(random() * 1440);
      const instant = zonedTimeToInstant(date, minutes, TZ);
      if (instant === null) continue; // a wall-clock time the spring-forward skips
      const at = new Date(instant).toISOString();
      const portalId = random() < 0.5 ? P1 : P2;
      const access = `g${n}`;
      const key = `${week}|${portalId}`;
      const tally = expected.get(key) ?? { invited: 0, accepted: 0, pending: 0, expired: 0, withdrawn: 0, resends: 0, durations: [] };
      expected.set(key, tally);
      tally.invited += 1;
      const outcome = random();
      if (outcome < 0.5) {
        invitations.invite(access, at, { portalId, validDays: 30 });
        const duration = Math.floor(random() * 10 * DAY) + 60_000;
        const resends = Math.floor(random() * 3);
        for (let r = 1; r <= resends; r++) invitations.resend(access, later(at, (duration * r) / (resends + 1)), 30);
        invitations.accept(access, later(at, duration));
        tally.accepted += 1;
        tally.resends += resends;
        tally.durations.push(Math.round(duration / 1000));
      } else if (outcome < 0.7) {
        invitations.invite(access, at, { portalId, validDays: 120 });
        tally.pending += 1;
      } else if (outcome < 0.85) {
        invitations.invite(access, at, { portalId, validDays: 1 });
        tally.expired += 1;
      } else {
        invitations.invite(access, at, { portalId });
        if (random() < 0.5) invitations.revoke(access, later(at, HOUR));
        else invitations.disable(access, later(at, HOUR));
        tally.withdrawn += 1;
      }
    }
    const report = await spec.given(invitations.history.events).when(query({ now: new Date('2026-06-01T00:00:00Z') }));
    const nearestRank = (values: number[], p: number) => (values.length ? [...values].sort((a, b) => a - b)[Math.ceil((p * values.length) / 100) - 1] : null);
    const wanted = [...expected.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, { durations, ...counts }]) => {
        const [week, portalId] = key.split('|');
        return {
          week,
          weekStart: weeks.find((w) => w.week === week)!.monday,
          portalId,
          ...counts,
          timeToAcceptMedianSeconds: nearestRank(durations, 50),
          timeToAcceptP90Seconds: nearestRank(durations, 90),
        };
      });
    expect(report.items).toEqual(wanted);
    expect(report.totals.invited).toBe(wanted.reduce((sum, item) => sum + item.invited, 0));
    expect(report.totals.invited).toBe(report.totals.accepted + report.totals.pending + report.totals.expired + report.totals.withdrawn);
  });
});
