import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '@app/event-store';
import { REGISTRATIONS_COLLECTION, registrationsProjection } from './registrations.projection';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';

describe('registrations projection', () => {
  let dir: string;
  let readStore: ReadStore;
  let position = 0n;

  const recorded = (type: string, data: Record<string, unknown>, organizationId = 'o1'): RecordedEvent => {
    position += 1n;
    const at = `2026-01-01T00:00:${String(position).padStart(2, '0')}.000Z`;
    return {
      id: randomUUID(),
      type,
      data,
      streamName: `registration-${String(data.registrationId)}`,
      streamRevision: position,
      position,
      recordedAt: at,
      metadata: {
        organizationId,
        actor: { kind: 'system', id: 'self-registration' },
        channel: 'portal',
        correlationId: 'c',
        causationId: 'c',
        occurredAt: at,
        schemaVersion: 1,
      },
    };
  };
  const requested = (registrationId: string, portalId = 'p1', organizationId = 'o1') =>
    recorded(
      'RegistrationRequested',
      { registrationId, portalId, email: `${registrationId}@acme.example`, name: 'Ana Souza', companyName: 'Acme', requestedAt: '2026-01-01T00:00:00.000Z' },
      organizationId,
    );
  const apply = async (events: RecordedEvent[]) =>
    readStore.applyBatch(
      registrationsProjection.name,
      events.flatMap((e) => registrationsProjection.project(e)),
      events.at(-1)!.position,
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registrations-projection-'));
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    await readStore.ensureCollections(registrationsProjection.collections);
    position = 0n;
  });
  afterEach(async () => {
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one document per request through approval; a replayed batch changes nothing', async () => {
    const events = [
      requested('r1'),
      recorded('RegistrationClientAssigned', { registrationId: 'r1', clientId: 'cl-1', created: true }),
      recorded('RegistrationContactAssigned', { registrationId: 'r1', contactId: 'co-1' }),
      recorded('RegistrationApproved', { registrationId: 'r1', portalId: 'p1', clientId: 'cl-1', contactId: 'co-1', userTypeId: 'ut-1', decidedAt: '2026-01-02T00:00:00.000Z' }),
      recorded('PortalCreated', { portalId: 'p1' }),
    ];
    await apply(events);
    const first = await readStore.get(REGISTRATIONS_COLLECTION, 'r1');
    expect(first).toEqual({
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
    // Delivered again (a crash before the checkpoint): the same document, not reset to Pending.
    await apply(events);
    expect(await readStore.get(REGISTRATIONS_COLLECTION, 'r1')).toEqual(first);
  });

  it('records a rejection with its reason', async () => {
    await apply([requested('r2'), recorded('RegistrationRejected', { registrationId: 'r2', portalId: 'p1', reason: 'unknown company', decidedAt: '2026-01-02T00:00:00.000Z' })]);
    expect(await readStore.get(REGISTRATIONS_COLLECTION, 'r2')).toMatchObject({ status: 'Rejected', reason: 'unknown company', decidedAt: '2026-01-02T00:00:00.000Z', clientId: null });
  });

  it('lists by organization and portal, and by status', async () => {
    await apply([
      requested('a1'),
      requested('a2'),
      requested('b1', 'p2'),
      requested('c1', 'p1', 'o2'),
      recorded('RegistrationRejected', { registrationId: 'a2', portalId: 'p1', reason: null, decidedAt: '2026-01-02T00:00:00.000Z' }),
    ]);
    const ids = async (where: Record<string, string>) => (await readStore.find(REGISTRATIONS_COLLECTION, { where, limit: 10 })).map((d) => d.id);
    expect(await ids({ organizationId: 'o1', portalId: 'p1' })).toEqual(['a1', 'a2']);
    expect(await ids({ organizationId: 'o1', portalId: 'p1', status: 'Pending' })).toEqual(['a1']);
    expect(await ids({ organizationId: 'o1', portalId: 'p1', status: 'Rejected' })).toEqual(['a2']);
    expect(await ids({ organizationId: 'o2', portalId: 'p1' })).toEqual(['c1']);
  });
});
