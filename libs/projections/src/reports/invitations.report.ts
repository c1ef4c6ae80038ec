import { positionKey, projectionOf, unhandled, insert } from '../projection';
import { collection, ProjectionWrite, ReadStore } from '../read-store';
import { isoWeekOf, LocalCalendar } from './calendar';
import { byKeys, inRange, Report, ReportQuery, scanRows, ScanBudget } from './report-query';
import { durationStatistics } from './statistics';

/** What happened to an access's invitation, as a report row names it. */
export type InvitationStep = 'invited' | 'resent' | 'reinvited' | 'accepted' | 'disabled' | 'enabled' | 'revoked';

/** One step of an access's invitation lifecycle (docs/read-models.md, `report_invitation_events_v1`). */
export interface InvitationStepRow {
  /** `<accessId>:<position>`: an access's steps are adjacent and in order. */
  id: string;
  organizationId: string;
  accessId: string;
  step: InvitationStep;
  /** When (for invitations: when sent). */
  at: string;
  /** `invited`: the portal; null otherwise. */
  portalId: string | null;
  /** `invited`: the contact's primary company then; null otherwise. */
  clientId: string | null;
  /** `invited`, `resent`, `reinvited`: when that invitation expires; null otherwise. */
  expiresAt: string | null;
}

export const REPORT_INVITATION_EVENTS_COLLECTION = collection<InvitationStepRow>('report_invitation_events_v1');

/**
 * The invitation funnel's facts: one row per step of an access's invitation lifecycle, keyed
 * `<accessId>:<position>`, so an access's steps are adjacent and in order when read by id, and
 * a replayed event is ignored (keyed inserts). The report folds each access's steps into
 * invitation cycles when asked: a cycle starts with an invitation (a contact invited again after
 * a revocation starts a new one), and the events after the first carry neither its time nor its
 * portal, so no per-cycle row could be kept by a projection that sees one event at a time.
 */
export const invitationsReportProjection = projectionOf({
  name: 'report_invitations_v1',
  eventTypes: ['ContactInvited', 'InvitationResent', 'InvitationAccepted', 'PortalAccessDisabled', 'PortalAccessEnabled', 'PortalAccessRevoked'],
  collections: [{ name: REPORT_INVITATION_EVENTS_COLLECTION, indexes: [['organizationId']] }],

  project(event) {
    const accessId = event.data.accessId;
    const step = (kind: InvitationStep, fields: { at?: string; portalId?: string; clientId?: string; expiresAt?: string | null } = {}): ProjectionWrite[] => [
      insert(REPORT_INVITATION_EVENTS_COLLECTION, {
        id: `${accessId}:${positionKey(event.position)}`,
        organizationId: event.metadata.organizationId,
        accessId,
        step: kind,
        at: fields.at ?? event.metadata.occurredAt,
        portalId: fields.portalId ?? null,
        clientId: fields.clientId ?? null,
        expiresAt: fields.expiresAt ?? null,
      }),
    ];
    switch (event.type) {
      case 'ContactInvited': {
        const data = event.data;
        return step('invited', { at: data.sentAt, portalId: data.portalId, clientId: data.clientIds?.[0] ?? data.clientId, expiresAt: data.expiresAt });
      }
      case 'InvitationResent':
        return step('resent', { at: event.data.sentAt, expiresAt: event.data.expiresAt });
      case 'InvitationAccepted':
        return step('accepted');
      case 'PortalAccessDisabled':
        return step('disabled');
      case 'PortalAccessEnabled': {
        const data = event.data;
        // Enabled back to Invited sends a fresh invitation; back to Active, none.
        return data.status === 'Invited' ? step('reinvited', { at: data.sentAt ?? undefined, expiresAt: data.expiresAt }) : step('enabled');
      }
      case 'PortalAccessRevoked':
        return step('revoked');
      default:
        return unhandled(event);
    }
  },
});

/** One invitation cycle of an access: from its invitation to acceptance, or to its end. */
export interface InvitationCycle {
  portalId: string;
  /** The contact's primary company when invited. */
  clientId: string;
  invitedAt: string;
  /** When the invitation last sent in the cycle expires. */
  expiresAt: string;
  /** Invitations sent again in the cycle: re-sends, and fresh ones when a disabled access is enabled. */
  resends: number;
  acceptedAt: string | null;
  /** Where the access stands in the cycle. */
  state: 'invited' | 'active' | 'disabled' | 'revoked';
}

export type InvitationOutcome = 'accepted' | 'pending' | 'expired' | 'withdrawn';

/** An access's steps, oldest first, folded into its invitation cycles. */
export function invitationCyclesOf(steps: readonly Omit<InvitationStepRow, 'id' | 'organizationId' | 'accessId'>[]): InvitationCycle[] {
  const cycles: InvitationCycle[] = [];
  let current: InvitationCycle | null = null;
  for (const row of steps) {
    const step = row.step;
    if (step === 'invited') {
      // An invitation's step names its portal, company and expiry.
      current = {
        portalId: row.portalId ?? '',
        clientId: row.clientId ?? '',
        invitedAt: row.at,
        expiresAt: row.expiresAt ?? '',
        resends: 0,
        acceptedAt: null,
        state: 'invited',
      };
      cycles.push(current);
      continue;
    }
    if (!current) continue;
    switch (step) {
      case 'resent':
      case 'reinvited':
        current.resends += 1;
        current.expiresAt = row.expiresAt ?? current.expiresAt;
        current.state = 'invited';
        break;
      case 'accepted':
        current.acceptedAt ??= row.at;
        current.state = 'active';
        break;
      case 'disabled':
        current.state = 'disabled';
        break;
      case 'enabled':
        current.state = 'active';
        break;
      case 'revoked':
        current.state = 'revoked';
        current = null; // the cycle is over; an invitation starts the next
        break;
    }
  }
  return cycles;
}

/**
 * How a cycle turned out as of `now`: accepted; still pending (its last invitation valid);
 * expired unaccepted; or withdrawn (the access disabled or revoked before accepting).
 */
export function invitationOutcome(cycle: InvitationCycle, now: Date): InvitationOutcome {
  if (cycle.acceptedAt !== null) return 'accepted';
  if (cycle.state !== 'invited') return 'withdrawn';
  return Date.parse(cycle.expiresAt) <= now.getTime() ? 'expired' : 'pending';
}

export interface InvitationFunnel {
  /** Invitation cycles started (first invitations sent). */
  invited: number;
  accepted: number;
  /** Not accepted, the last invitation still valid. */
  pending: number;
  /** Not accepted, the last invitation expired. */
  expired: number;
  /** Not accepted: the access was disabled or revoked first. */
  withdrawn: number;
  /** Invitations sent again before the outcome (re-sends, re-enabled invitations). */
  resends: number;
  /** From the first invitation of a cycle to its acceptance, accepted cycles only (nearest-rank). */
  timeToAcceptMedianSeconds: number | null;
  timeToAcceptP90Seconds: number | null;
}

export interface InvitationsReportItem extends InvitationFunnel {
  /** ISO week of the first invitation, in the organization's time zone. */
  week: string;
  weekStart: string;
  portalId: string;
}

export const INVITATIONS_REPORT_COLUMNS: (keyof InvitationsReportItem)[] = [
  'week',
  'weekStart',
  'portalId',
  'invited',
  'accepted',
  'pending',
  'expired',
  'withdrawn',
  'resends',
  'timeToAcceptMedianSeconds',
  'timeToAcceptP90Seconds',
];

class FunnelCounter {
  readonly counts = { invited: 0, accepted: 0, pending: 0, expired: 0, withdrawn: 0, resends: 0 };
  private readonly durations: number[] = [];

  add(cycle: InvitationCycle, outcome: InvitationOutcome): void {
    this.counts.invited += 1;
    this.counts[outcome] += 1;
    this.counts.resends += cycle.resends;
    if (cycle.acceptedAt !== null) this.durations.push(Date.parse(cycle.acceptedAt) - Date.parse(cycle.invitedAt));
  }

  funnel(): InvitationFunnel {
    const { medianSeconds, p90Seconds } = durationStatistics(this.durations);
    return { ...this.counts, timeToAcceptMedianSeconds: medianSeconds, timeToAcceptP90Seconds: p90Seconds };
  }
}

/**
 * The invitation funnel per portal and ISO week of the first invitation (organization's time
 * zone): invited, accepted, pending, expired, withdrawn (invited = the other four), re-sends
 * needed, time to accept. `from`/`to` keep cycles whose first invitation falls on those local
 * dates; `clientId` those of contacts whose primary company it was when invited.
 */
export async function invitationsReport(readStore: ReadStore, query: ReportQuery, budget = new ScanBudget()): Promise<Report<InvitationsReportItem, InvitationFunnel>> {
  const calendar = new LocalCalendar(query.timeZone);
  const groups = new Map<string, { week: string; weekStart: string; portalId: string; counter: FunnelCounter }>();
  const totals = new FunnelCounter();

  const addAccess = (steps: InvitationStepRow[]) => {
    for (const cycle of invitationCyclesOf(steps)) {
      if (query.portalId && cycle.portalId !== query.portalId) continue;
      if (query.clientId && cycle.clientId !== query.clientId) continue;
      const date = calendar.dateOf(cycle.invitedAt);
      if (!inRange(date, query)) continue;
      const outcome = invitationOutcome(cycle, query.now);
      const { week, weekStart } = isoWeekOf(date);
      const key = `${week}|${cycle.portalId}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { week, weekStart, portalId: cycle.portalId, counter: new FunnelCounter() }));
      group.counter.add(cycle, outcome);
      totals.add(cycle, outcome);
    }
  };

  // Rows come in id order: each access's steps together, oldest first.
  let access: string | null = null;
  let steps: InvitationStepRow[] = [];
  for await (const row of scanRows(readStore, REPORT_INVITATION_EVENTS_COLLECTION, { organizationId: query.organizationId }, budget)) {
    if (row.accessId !== access) {
      addAccess(steps);
      access = row.accessId;
      steps = [];
    }
    steps.push(row);
  }
  addAccess(steps);

  const items = [...groups.values()]
    .map(({ week, weekStart, portalId, counter }) => ({ week, weekStart, portalId, ...counter.funnel() }))
    .sort(byKeys((i) => i.week, (i) => i.portalId));
  return { items, totals: totals.funnel() };
}
