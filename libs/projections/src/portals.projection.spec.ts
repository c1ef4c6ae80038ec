import { PortalEvent, UserTypeModules } from '@app/domain';
import { PORTAL_TEMPLATES_COLLECTION, PORTAL_USER_TYPES_COLLECTION, PORTALS_COLLECTION, portalsProjection } from './portals.projection';
import { eventLog } from './testing/events';
import { projectionSpec } from './testing/projection-spec';

const none = { view: false, create: false, edit: false, delete: false, approve: false };
const modules: UserTypeModules = { shifts: none, timesheets: { ...none, view: true }, quotes: none, invoices: none, projects: none, documents: none };

describe('portals projection', () => {
  const spec = projectionSpec(portalsProjection);

  it('keeps one document per portal, template language and user type, the same when delivered again or rebuilt', async () => {
    const log = eventLog();
    const record = (event: PortalEvent) => log.record(`portal-${event.data.portalId}`, event);
    record({ type: 'PortalCreated', data: { portalId: 'p1', organizationId: 'o1', isDefault: true, name: 'Acme', slug: 'acme', selfRegistration: false, defaultLanguage: 'en' } });
    record({ type: 'PortalUpdated', data: { portalId: 'p1', changes: { slug: 'acme-2', selfRegistration: true }, previousSlug: 'acme' } });
    record({ type: 'InvitationTemplateSaved', data: { portalId: 'p1', language: 'ja', subject: 'S', body: '{{acceptUrl}}' } });
    record({ type: 'InvitationTemplateSaved', data: { portalId: 'p1', language: 'fr', subject: 'S', body: '{{acceptUrl}}' } });
    record({ type: 'InvitationTemplateRemoved', data: { portalId: 'p1', language: 'fr' } });
    record({ type: 'UserTypeDefined', data: { portalId: 'p1', userTypeId: 't1', name: 'Viewer', modules } });
    record({ type: 'UserTypeChanged', data: { portalId: 'p1', userTypeId: 't1', changes: { name: 'Reader' } } });
    log.record('organization-o1', { type: 'PortalAdded', data: { organizationId: 'o1', portalId: 'p1' } });

    const { readStore } = await spec.given(log.events);
    expect(await readStore.get(PORTALS_COLLECTION, 'p1')).toMatchObject({
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
    const templates = await readStore.find(PORTAL_TEMPLATES_COLLECTION, { where: { portalId: 'p1' }, limit: 10 });
    expect(templates.map((t) => t.language)).toEqual(['ja']);
    expect(JSON.stringify(templates)).not.toContain('acceptUrl');
    expect(await readStore.find(PORTAL_USER_TYPES_COLLECTION, { where: { portalId: 'p1' }, limit: 10 })).toEqual([
      expect.objectContaining({ id: 't1', name: 'Reader', modules, portalId: 'p1' }),
    ]);
  });
});
