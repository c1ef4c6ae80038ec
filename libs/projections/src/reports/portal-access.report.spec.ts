import { randomUUID } from 'node:crypto';
import { portalAccess, PortalAccessCommand, PortalAccessState, portalAccessStream } from '@app/domain';
import { History } from '../testing/history';
import { reportSpec } from '../testing/report-spec';
import { portalAccessReport, portalAccessReportProjection } from './portal-access.report';
import { ScanBudget } from './report-query';

const ORG = 'org-sao-paulo';
const TZ = 'America/Sao_Paulo';
const [P1, P2] = ['portal-1', 'portal-2'];
const [C1, C2, C3] = ['client-1', 'client-2', 'client-3'];

class Accesses {
  readonly history = new History(ORG);

  invite(access: string, portalId: string, clientId: string, at: string): this {
    const contact = { contactId: `contact-${access}`, clientIds: [clientId], email: `${access}@client.example` };
    return this.run(access, at, { type: 'InviteContact', accessId: access, portalId, contact, invitation: invitation(at) });
  }
  accept(access: string, at: string): this {
    const state = this.history.state<PortalAccessState>(portalAccessStream(access))!;
    return this.run(access, at, { type: 'AcceptInvitation', invitationId: state.invitationId!, now: at });
  }
  disable = (access: string, at: string) => this.run(access, at, { type: 'DisablePortalAccess' });
  enable = (access: string, at: string) => this.run(access, at, { type: 'EnablePortalAccess', invitation: invitation(at), email: 'person@example.com' });
  revoke = (access: string, at: string) => this.run(access, at, { type: 'RevokePortalAccess' });
  companies = (access: string, clientIds: string[], at: string) => this.run(access, at, { type: 'RecordPortalAccessCompanies', clientIds, cause: 'primary-client-changed' });

  private run(access: string, at: string, command: PortalAccessCommand): this {
    this.history.run(portalAccess, portalAccessStream(access), command, { at });
    return this;
  }
}

const invitation = (at: string) => ({ invitationId: randomUUID(), sentAt: at, expiresAt: new Date(Date.parse(at) + 7 * 86_400_000).toISOString() });

function accesses(): Accesses {
  return new Accesses()
    .invite('a1', P1, C1, '2026-03-02T12:00:00Z')
    .accept('a1', '2026-03-02T13:00:00Z') // Active
    .invite('a2', P1, C1, '2026-03-02T12:00:00Z') // Invited
    .invite('a3', P1, C2, '2026-03-03T12:00:00Z')
    .accept('a3', '2026-03-03T13:00:00Z')
    .disable('a3', '2026-03-04T12:00:00Z') // Disabled
    .invite('a4', P1, C2, '2026-03-03T12:00:00Z')
    .revoke('a4', '2026-03-04T12:00:00Z') // Revoked
    .invite('a5', P2, C1, '2026-03-03T12:00:00Z')
    .accept('a5', '2026-03-03T13:00:00Z')
    .revoke('a5', '2026-03-05T12:00:00Z')
    .invite('a5', P2, C1, '2026-03-20T12:00:00Z') // Invited again; first invited on the 3rd
    .invite('a6', P2, C3, '2026-03-10T12:00:00Z')
    .accept('a6', '2026-03-10T13:00:00Z')
    .companies('a6', [C2, C3], '2026-03-11T12:00:00Z') // Active, now under its new primary company
    .invite('a7', P1, C1, '2026-03-05T12:00:00Z')
    .disable('a7', '2026-03-06T12:00:00Z')
    .enable('a7', '2026-03-07T12:00:00Z'); // back to Invited
}

const spec = reportSpec(portalAccessReportProjection, portalAccessReport);
const query = (extra: Partial<Parameters<typeof portalAccessReport>[1]> = {}) => ({ organizationId: ORG, timeZone: TZ, now: new Date('2026-03-25T00:00:00Z'), ...extra });
const counts = { invited: 0, active: 0, disabled: 0, revoked: 0, total: 0 };

describe('portal access report', () => {
  it('counts accesses by current status per portal and company, and in total', async () => {
    const report = await spec.given(accesses().history.events).when(query());
    expect(report.items).toEqual([
      { ...counts, portalId: P1, clientId: C1, invited: 2, active: 1, total: 3 },
      { ...counts, portalId: P1, clientId: C2, disabled: 1, revoked: 1, total: 2 },
      { ...counts, portalId: P2, clientId: C1, invited: 1, total: 1 },
      { ...counts, portalId: P2, clientId: C2, active: 1, total: 1 },
    ]);
    expect(report.totals).toEqual({ invited: 3, active: 2, disabled: 1, revoked: 1, total: 7 });
  });

  it('filters by portal, company, and the local date of the first invitation', async () => {
    const given = spec.given(accesses().history.events);
    expect((await given.when(query({ portalId: P2 }))).items.map((i) => [i.portalId, i.clientId, i.total])).toEqual([
      [P2, C1, 1],
      [P2, C2, 1],
    ]);
    expect((await given.when(query({ clientId: C2 }))).totals).toEqual({ ...counts, disabled: 1, revoked: 1, active: 1, total: 3 });
    expect((await given.when(query({ portalId: P1, clientId: C1 }))).totals).toEqual({ ...counts, invited: 2, active: 1, total: 3 });
    // a5, invited again on the 20th, was first invited on the 3rd.
    expect((await given.when(query({ from: '2026-03-10' }))).totals).toEqual({ ...counts, active: 1, total: 1 });
    expect((await given.when(query({ to: '2026-03-02' }))).totals).toEqual({ ...counts, invited: 1, active: 1, total: 2 });
  });

  it('refuses to read more rows than its budget: 422 report-too-large, not a slow answer', async () => {
    const bounded = reportSpec(portalAccessReportProjection, (readStore, q) => portalAccessReport(readStore, q, new ScanBudget(6)));
    await expect(bounded.given(accesses().history.events).when(query())).rejects.toMatchObject({ kind: 'unprocessable', code: 'report-too-large' });
    expect((await bounded.given(accesses().history.events).when(query({ portalId: P2 }))).totals.total).toBe(2);
  });
});
