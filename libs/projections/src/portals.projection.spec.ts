import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '@app/event-store';
import { PORTAL_TEMPLATES_COLLECTION, PORTAL_USER_TYPES_COLLECTION, PORTALS_COLLECTION, portalsProjection } from './portals.projection';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';

const none = { view: false, create: false, edit: false, delete: false, approve: false };
const modules = { shifts: none, timesheets: { ...none, view: true }, quotes: none, invoices: none, projects: none, documents: none };

describe('portals projection', () => {
  let dir: string;
  let readStore: ReadStore;
  let position = 0n;

  const recorded = (type: string, data: Record<string, unknown>, organizationId = 'o1'): RecordedEvent => {
    position += 1n;
    return {
      id: randomUUID(),
      type,
      data,
      streamName: `portal-${String(data.portalId)}`,
      streamRevision: position,
      position,
      recordedAt: `2026-01-01T00:00:${String(position).padStart(2, '0')}.000Z`,
      metadata: {
        organizationId,
        actor: { kind: 'staff', id: 'k1' },
        channel: 'api',
        correlationId: 'c',
        causationId: 'c',
        occurredAt: `2026-01-01T00:00:${String(position).padStart(2, '0')}.000Z`,
        schemaVersion: 1,
      },
    };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portals-projection-'));
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    await readStore.ensureCollections(portalsProjection.collections);
    position = 0n;
  });
  afterEach(async () => {
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one document per portal, template language and user type; a replayed batch changes nothing', async () => {
    const events = [
      recorded('PortalCreated', { portalId: 'p1', organizationId: 'o1', isDefault: true, name: 'Acme', slug: 'acme', selfRegistration: false, defaultLanguage: 'en' }),
      recorded('PortalUpdated', { portalId: 'p1', changes: { slug: 'acme-2', selfRegistration: true }, previousSlug: 'acme' }),
      recorded('InvitationTemplateSaved', { portalId: 'p1', language: 'ja', subject: 'S', body: '{{acceptUrl}}' }),
      recorded('InvitationTemplateSaved', { portalId: 'p1', language: 'fr', subject: 'S', body: '{{acceptUrl}}' }),
      recorded('InvitationTemplateRemoved', { portalId: 'p1', language: 'fr' }),
      recorded('UserTypeDefined', { portalId: 'p1', userTypeId: 't1', name: 'Viewer', modules }),
      recorded('UserTypeChanged', { portalId: 'p1', userTypeId: 't1', changes: { name: 'Reader' } }),
      recorded('PortalAdded', { organizationId: 'o1', portalId: 'p1' }),
    ];
    const writes = events.flatMap((e) => portalsProjection.project(e));
    await readStore.applyBatch(portalsProjection.name, writes, position);
    const snapshot = async () => ({
      portal: await readStore.get(PORTALS_COLLECTION, 'p1'),
      templates: await readStore.find(PORTAL_TEMPLATES_COLLECTION, { where: { portalId: 'p1' }, limit: 10 }),
      userTypes: await readStore.find(PORTAL_USER_TYPES_COLLECTION, { where: { portalId: 'p1' }, limit: 10 }),
    });
    const first = await snapshot();
    expect(first.portal).toMatchObject({
      id: 'p1',
      organizationId: 'o1',
      isDefault: true,
      name: 'Acme',
      slug: 'acme-2',
      selfRegistration: true,
      defaultLanguage: 'en',
      createdAt: '2026-01-01T00:00:01.000Z',
      updatedAt: '2026-01-01T00:00:07.000Z',
    });
    expect(first.templates.map((t) => t.language)).toEqual(['ja']);
    expect(JSON.stringify(first.templates)).not.toContain('acceptUrl');
    expect(first.userTypes).toEqual([expect.objectContaining({ id: 't1', name: 'Reader', modules, portalId: 'p1' })]);

    await readStore.applyBatch(portalsProjection.name, writes, position);
    expect(await snapshot()).toEqual(first);
  });
});
