import { RegistrationEvent } from '@app/domain';
import { REGISTRATIONS_COLLECTION, registrationsProjection } from './registrations.projection';
import { eventLog } from './testing/events';
import { projectionSpec } from './testing/projection-spec';

describe('registrations projection', () => {
  const spec = projectionSpec(registrationsProjection);
  const selfRegistration = { actor: { kind: 'system' as const, id: 'self-registration' }, channel: 'portal' as const };
  const history = () => {
    const log = eventLog(selfRegistration);
    const record = (event: RegistrationEvent, organizationId = 'o1') => log.record(`registration-${event.data.registrationId}`, event, { organizationId });
    const requested = (registrationId: string, portalId = 'p1', organizationId = 'o1') =>
      record(
        {
          type: 'RegistrationRequested',
          data: { registrationId, portalId, email: `${registrationId}@acme.example`, name: 'Ana Souza', companyName: 'Acme', requestedAt: '2026-01-01T00:00:00.000Z' },
        },
        organizationId,
      );
    return { events: log.events, log, record, requested };
  };

  it('keeps one document per request through approval, the same when delivered again or rebuilt', async () => {
    const { events, log, record, requested } = history();
    requested('r1');
    record({ type: 'RegistrationClientAssigned', data: { registrationId: 'r1', clientId: 'cl-1', created: true } });
    record({ type: 'RegistrationContactAssigned', data: { registrationId: 'r1', contactId: 'co-1' } });
    record({ type: 'RegistrationApproved', data: { registrationId: 'r1', portalId: 'p1', clientId: 'cl-1', contactId: 'co-1', userTypeId: 'ut-1', decidedAt: '2026-01-02T00:00:00.000Z' } });
    log.record('portal-p1', { type: 'PortalCreated', data: { portalId: 'p1' } });

    const { readStore } = await spec.given(events);
    expect(await readStore.get(REGISTRATIONS_COLLECTION, 'r1')).toEqual({
      id: 'r1',
      organizationId: 'o1',
      portalId: 'p1',
      email: 'r1@acme.example',
      name: 'Ana Souza',
      companyName: 'Acme',
      status: 'Approved',
      requestedAt: '2026-01-01T00:00:00.000Z',
      decidedAt: '2026-01-02T00:00:00.000Z',
      reason: null,
      clientId: 'cl-1',
      contactId: 'co-1',
      userTypeId: 'ut-1',
      updatedAt: '2026-01-01T00:00:04.000Z',
    });
  });

  it('records a rejection with its reason', async () => {
    const { events, record, requested } = history();
    requested('r2');
    record({ type: 'RegistrationRejected', data: { registrationId: 'r2', portalId: 'p1', reason: 'unknown company', decidedAt: '2026-01-02T00:00:00.000Z' } });
    const { readStore } = await spec.given(events);
    expect(await readStore.get(REGISTRATIONS_COLLECTION, 'r2')).toMatchObject({ status: 'Rejected', reason: 'unknown company', decidedAt: '2026-01-02T00:00:00.000Z', clientId: null });
  });

  it('lists by organization and portal, and by status', async () => {
    const { events, record, requested } = history();
    requested('a1');
    requested('a2');
    requested('b1', 'p2');
    requested('c1', 'p1', 'o2');
    record({ type: 'RegistrationRejected', data: { registrationId: 'a2', portalId: 'p1', reason: null, decidedAt: '2026-01-02T00:00:00.000Z' } });
    const { readStore } = await spec.given(events);
    const ids = async (where: Record<string, string>) => (await readStore.find(REGISTRATIONS_COLLECTION, { where, limit: 10 })).map((d) => d.id);
    expect(await ids({ organizationId: 'o1', portalId: 'p1' })).toEqual(['a1', 'a2']);
    expect(await ids({ organizationId: 'o1', portalId: 'p1', status: 'Pending' })).toEqual(['a1']);
    expect(await ids({ organizationId: 'o1', portalId: 'p1', status: 'Rejected' })).toEqual(['a2']);
    expect(await ids({ organizationId: 'o2', portalId: 'p1' })).toEqual(['c1']);
  });
});
